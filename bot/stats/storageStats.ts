import type { Storage } from 'botbuilder';
import {
  applyEvent,
  emptyDay,
  summarize,
  type DayStats,
  type StatsSummary,
} from '../../core/stats/dailyStats';
import type { HelpDeskEvent, HelpDeskEvents } from '../../core/stats/helpDeskEvents';
import type { Logger } from '../logger';
import { createItem } from '../storage/createOnly';

const DAY_KEY = (day: string) => `signin-desk/stats/day/${day}`;
const MAX_ATTEMPTS = 6;
const DAY_MS = 86_400_000;

export interface StorageStatsOptions {
  storage: Storage;
  logger: Logger;
  /** The support team's time zone: a day of the dashboard is their day. */
  timeZone: string;
  /** Days of roll-ups kept; older ones are deleted. */
  retentionDays: number;
  now?: () => Date;
}

/**
 * The dashboard's numbers, as one document per day in the bot's storage (SQLite, or Blob when scaled out).
 * Events are added with eTag checks, so instances writing at once retry instead of losing a count. Recording
 * runs after the turn's reply and never fails it: trouble is logged.
 */
export class StorageStats implements HelpDeskEvents {
  private readonly now: () => Date;
  /** One write at a time from this instance: its own events never conflict with each other. */
  private chain: Promise<void> = Promise.resolve();
  private purgedFor?: string;

  constructor(private readonly options: StorageStatsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  record(event: HelpDeskEvent): void {
    const day = this.dayOf(this.now());
    this.chain = this.chain
      .then(() => this.add(day, event))
      .then(() => this.purgeBefore(day))
      .catch((error: Error) =>
        this.options.logger.warn('could not count a help-desk event for the dashboard', {
          event: event.kind,
          error: error.message,
        }),
      );
  }

  /** Resolves when the events recorded so far are stored. */
  flushed(): Promise<void> {
    return this.chain;
  }

  /** The last `days` days, today included. */
  async summary(days: number): Promise<StatsSummary> {
    const today = this.now();
    const dayNames = Array.from({ length: days }, (_, i) =>
      this.dayOf(new Date(today.getTime() - i * DAY_MS)),
    );
    const keys = dayNames.map(DAY_KEY);
    const stored = await this.options.storage.read(keys);
    const found = keys.map((key) => stored[key] as DayStats | undefined).filter((d): d is DayStats => !!d);
    return summarize(found, { from: dayNames.at(-1)!, to: dayNames[0], days });
  }

  get retentionDays(): number {
    return this.options.retentionDays;
  }

  private async add(day: string, event: HelpDeskEvent): Promise<void> {
    const key = DAY_KEY(day);
    for (let attempt = 1; ; attempt++) {
      const current = (await this.options.storage.read([key]))[key] as
        (DayStats & { eTag?: string }) | undefined;
      try {
        if (!current) {
          if (await createItem(this.options.storage, key, applyEvent(emptyDay(day), event))) return;
          continue;
        }
        const { eTag, ...counts } = current;
        await this.options.storage.write({ [key]: { ...applyEvent(counts, event), eTag } });
        return;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw error;
        if (attempt === 2)
          this.options.logger.warn('dashboard counts changed under a write (another instance); retrying', {
            event: event.kind,
          });
      }
    }
  }

  /** Once a day per instance: deletes the roll-ups that passed the retention (a month of them, by name). */
  private async purgeBefore(day: string): Promise<void> {
    if (this.purgedFor === day) return;
    this.purgedFor = day;
    const start = Date.parse(`${day}T12:00:00Z`) - this.options.retentionDays * DAY_MS;
    const keys = Array.from({ length: 31 }, (_, i) =>
      DAY_KEY(new Date(start - i * DAY_MS).toISOString().slice(0, 10)),
    );
    await this.options.storage.delete(keys);
  }

  private dayOf(at: Date): string {
    // en-CA formats as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: this.options.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(at);
  }
}
