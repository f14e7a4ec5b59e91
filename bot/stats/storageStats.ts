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
/** Events are added up in memory and written together: one write for many turns, not one per event. */
const FLUSH_AFTER_MS = 1000;

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
 * Events are gathered for a second and added in one write, with eTag checks, so instances writing at once retry
 * instead of losing a count. Recording never delays or fails a turn: trouble is logged. A crash loses at most
 * the last second of counts; a shutdown writes them (`flush`).
 */
export class StorageStats implements HelpDeskEvents {
  private readonly now: () => Date;
  /** One write at a time from this instance: its own events never conflict with each other. */
  private chain: Promise<void> = Promise.resolve();
  private purgedFor?: string;
  private pending = new Map<string, HelpDeskEvent[]>();
  private timer?: NodeJS.Timeout;

  /** Built once: a formatter costs far more to make than to use, and every event needs one. */
  private readonly dayFormat: Intl.DateTimeFormat;

  constructor(private readonly options: StorageStatsOptions) {
    this.now = options.now ?? (() => new Date());
    // en-CA formats as YYYY-MM-DD.
    this.dayFormat = new Intl.DateTimeFormat('en-CA', {
      timeZone: options.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  record(event: HelpDeskEvent): void {
    const day = this.dayOf(this.now());
    this.pending.set(day, [...(this.pending.get(day) ?? []), event]);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
      // Pending counts do not keep a stopping process alive; shutdown calls flush().
      this.timer.unref();
    }
  }

  /** Writes the counts gathered so far; resolves when they are stored (or their failure is logged). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    for (const [day, events] of batch)
      this.chain = this.chain
        .then(() => this.add(day, events))
        .then(() => this.purgeBefore(day))
        .catch((error: Error) =>
          this.options.logger.warn('could not count help-desk events for the dashboard', {
            events: events.length,
            error: error.message,
          }),
        );
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

  private async add(day: string, events: HelpDeskEvent[]): Promise<void> {
    const key = DAY_KEY(day);
    const addAll = (counts: DayStats) => events.reduce(applyEvent, counts);
    for (let attempt = 1; ; attempt++) {
      const current = (await this.options.storage.read([key]))[key] as
        (DayStats & { eTag?: string }) | undefined;
      try {
        if (!current) {
          if (await createItem(this.options.storage, key, addAll(emptyDay(day)))) return;
          continue;
        }
        const { eTag, ...counts } = current;
        await this.options.storage.write({ [key]: { ...addAll(counts), eTag } });
        return;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw error;
        if (attempt === 2)
          this.options.logger.warn('dashboard counts changed under a write (another instance); retrying', {
            events: events.length,
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
    return this.dayFormat.format(at);
  }
}
