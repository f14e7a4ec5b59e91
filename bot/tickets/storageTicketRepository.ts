import type { Storage, StoreItem } from 'botbuilder';
import type { Person, Ticket } from '../../core/tickets/ticket';
import type { TicketRepository } from '../../core/tickets/ticketDesk';
import { isRefusal, type RuleResult } from '../../core/tickets/ticketRules';
import { createItem } from '../storage/createOnly';

const COUNTER_KEY = 'tickets/counter';
const ticketKey = (number: number) => `tickets/${number}`;
/** Indexes, so a user's message or an agent's thread reply reads a few items, not every ticket. */
const requesterKey = (person: Pick<Person, 'id' | 'aadObjectId'>) =>
  `tickets/requester/${encodeURIComponent(person.aadObjectId ?? person.id)}`;
const cardKey = (activityId: string) => `tickets/card/${encodeURIComponent(activityId)}`;
/** Which ticket a confirm card opened, so its second Send finds it. */
const onceKey = (key: string) => `tickets/once/${encodeURIComponent(key)}`;
/** Reads of many tickets go in batches, so a long history never becomes one giant query. */
const READ_BATCH = 200;
const MAX_CONFLICT_RETRIES = 20;

type Stored<T> = T & { eTag?: string };

/**
 * Tickets in the bot's storage (SQLite by default, any botbuilder Storage with eTags works): one item per
 * ticket, plus a counter that hands out numbers. Every write carries the eTag that was read, so concurrent
 * changes (two agents pressing Take) never overwrite each other: the loser reads again and re-decides.
 */
export class StorageTicketRepository implements TicketRepository {
  /** Serialises number allocation in this process; the eTag on the counter covers other processes. */
  private creating: Promise<unknown> = Promise.resolve();

  constructor(private readonly storage: Storage) {}

  create(build: (number: number) => Ticket): Promise<Ticket> {
    const run = this.creating.then(() => this.createNow(build));
    this.creating = run.catch(() => undefined);
    return run;
  }

  async createOnce(
    key: string,
    build: (number: number) => Ticket,
  ): Promise<{ ticket: Ticket; existed: boolean }> {
    const existing = await this.ticketOfKey(key, build);
    if (existing) return { ticket: existing, existed: true };
    // Claim the key with the number before the ticket exists: a second Send (on any instance) then finds the
    // number even if this one dies before the ticket is written, and writes the ticket itself.
    const number = await this.nextNumber();
    if (!(await createItem(this.storage, onceKey(key), { number }))) {
      const first = await this.ticketOfKey(key, build);
      if (first) return { ticket: first, existed: true };
    }
    // This call claimed the key, so it opened the ticket, even if a second Send wrote it a moment earlier.
    const ticket = build(number);
    if (await createItem(this.storage, ticketKey(number), ticket)) await this.addToRequesterIndex(ticket);
    return { ticket: (await this.get(number)) ?? ticket, existed: false };
  }

  async findByKey(key: string): Promise<Ticket | undefined> {
    const claim = (await this.storage.read([onceKey(key)]))[onceKey(key)] as { number?: number } | undefined;
    return claim?.number ? this.get(claim.number) : undefined;
  }

  /** The ticket a key opened; a claimed number whose ticket was never written is written now. */
  private async ticketOfKey(key: string, build: (number: number) => Ticket): Promise<Ticket | undefined> {
    const claim = (await this.storage.read([onceKey(key)]))[onceKey(key)] as { number?: number } | undefined;
    if (!claim?.number) return undefined;
    const stored = await this.get(claim.number);
    if (stored) return stored;
    const ticket = build(claim.number);
    if (await createItem(this.storage, ticketKey(claim.number), ticket))
      await this.addToRequesterIndex(ticket);
    return (await this.get(claim.number)) ?? ticket;
  }

  /** Takes the next number from the counter (eTag-checked, so two instances never take the same one). */
  private async nextNumber(): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const counter = (await this.storage.read([COUNTER_KEY]))[COUNTER_KEY] as
        Stored<{ last: number }> | undefined;
      if (!counter) {
        await createItem(this.storage, COUNTER_KEY, { last: 0 });
        continue;
      }
      const number = counter.last + 1;
      try {
        await this.storage.write({ [COUNTER_KEY]: { last: number, eTag: counter.eTag } });
        return number;
      } catch (error) {
        if (attempt < MAX_CONFLICT_RETRIES && (await this.changed(COUNTER_KEY, counter.eTag))) continue;
        throw error;
      }
    }
  }

  private async createNow(build: (number: number) => Ticket): Promise<Ticket> {
    for (;;) {
      const number = await this.nextNumber();
      // Create-only: a number whose ticket already exists (a counter restored from an old backup, say) is
      // skipped rather than overwritten.
      const ticket = build(number);
      if (!(await createItem(this.storage, ticketKey(number), ticket))) continue;
      await this.addToRequesterIndex(ticket);
      return ticket;
    }
  }

  async get(number: number): Promise<Ticket | undefined> {
    const item = (await this.storage.read([ticketKey(number)]))[ticketKey(number)] as
      Stored<Ticket> | undefined;
    return item ? withoutETag(item) : undefined;
  }

  async update(number: number, change: (ticket: Ticket) => RuleResult): Promise<RuleResult | undefined> {
    const key = ticketKey(number);
    for (let attempt = 0; ; attempt++) {
      const stored = (await this.storage.read([key]))[key] as Stored<Ticket> | undefined;
      if (!stored) return undefined;
      const result = change(withoutETag(stored));
      if (isRefusal(result)) return result;
      try {
        await this.storage.write({ [key]: { ...result, eTag: stored.eTag } as StoreItem });
        return result;
      } catch (error) {
        // Someone else saved the ticket since we read it: decide again on their version.
        if (attempt < MAX_CONFLICT_RETRIES && (await this.changed(key, stored.eTag))) continue;
        throw error;
      }
    }
  }

  async list(): Promise<Ticket[]> {
    const counter = (await this.storage.read([COUNTER_KEY]))[COUNTER_KEY] as { last: number } | undefined;
    const last = counter?.last ?? 0;
    const tickets: Ticket[] = [];
    for (let from = 1; from <= last; from += READ_BATCH) {
      const keys = Array.from({ length: Math.min(READ_BATCH, last - from + 1) }, (_, i) =>
        ticketKey(from + i),
      );
      const items = await this.storage.read(keys);
      // A number whose ticket write never happened (a crash between the two writes) is simply skipped.
      for (const key of keys) if (items[key]) tickets.push(withoutETag(items[key] as Stored<Ticket>));
    }
    return tickets;
  }

  async listByRequester(person: Person): Promise<Ticket[]> {
    const key = requesterKey(person);
    const index = (await this.storage.read([key]))[key] as { numbers?: number[] } | undefined;
    const keys = (index?.numbers ?? []).map(ticketKey);
    if (keys.length === 0) return [];
    const items = await this.storage.read(keys);
    return keys.filter((k) => items[k]).map((k) => withoutETag(items[k] as Stored<Ticket>));
  }

  async findByCard(activityId: string): Promise<Ticket | undefined> {
    const key = cardKey(activityId);
    const item = (await this.storage.read([key]))[key] as { number?: number } | undefined;
    return item?.number ? this.get(item.number) : undefined;
  }

  async rememberCard(activityId: string, number: number): Promise<void> {
    await this.storage.write({ [cardKey(activityId)]: { number, eTag: '*' } });
  }

  private async addToRequesterIndex(ticket: Ticket): Promise<void> {
    const key = requesterKey(ticket.requester);
    for (let attempt = 0; ; attempt++) {
      const index = (await this.storage.read([key]))[key] as Stored<{ numbers: number[] }> | undefined;
      if (!index) {
        await createItem(this.storage, key, { numbers: [] });
        continue;
      }
      const numbers = [...index.numbers, ticket.number];
      try {
        await this.storage.write({ [key]: { numbers, eTag: index.eTag } });
        return;
      } catch (error) {
        if (attempt < MAX_CONFLICT_RETRIES && (await this.changed(key, index.eTag))) continue;
        throw error;
      }
    }
  }

  /** True when the item's eTag moved since `eTag` was read: the failed write was a lost race, not an outage. */
  private async changed(key: string, eTag: string | undefined): Promise<boolean> {
    const now = (await this.storage.read([key]))[key] as StoreItem | undefined;
    return (now?.eTag ?? undefined) !== eTag;
  }
}

function withoutETag<T extends object>(item: Stored<T>): T {
  const rest: Record<string, unknown> = { ...item };
  delete rest.eTag;
  return rest as T;
}
