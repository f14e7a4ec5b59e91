import { randomUUID } from 'node:crypto';
import type { Activity, ConversationReference } from 'botbuilder';
import type { Language } from '../../core/language';
import type { OutboxItem, Ticket } from '../../core/tickets/ticket';
import type { TicketRepository } from '../../core/tickets/ticketDesk';
import { enqueue, markUnreachable, type RuleResult } from '../../core/tickets/ticketRules';
import type { TicketViews, UnreachableReason } from '../../views/ticketViews';
import { withCorrelation, type Logger } from '../logger';
import type { AddressBook } from './addressBook';
import type { ChannelPostFinder } from './channelPostFinder';
import type { Telemetry } from '../telemetry';
import { backoffDelay, ConversationRateLimiter } from './rateLimiter';
import type { SupportChannel, SupportChannels } from './supportChannels';
import type { PostedThread, TicketMessenger } from './teamsMessenger';

export interface TicketOutboxOptions {
  repository: TicketRepository;
  channels: SupportChannels;
  addresses: AddressBook;
  messenger: TicketMessenger;
  views: TicketViews;
  logger: Logger;
  /** The language of the support channel's cards and notes. */
  supportLanguage: Language;
  now?: () => Date;
  random?: () => number;
  backoff?: { baseMs: number; maxMs: number };
  /** How long to wait before looking again for a support channel when none is set up. */
  noChannelRetryMs?: number;
  leaseMs?: number;
  limiter?: ConversationRateLimiter;
  /** Looks in the channel for a card whose post was cut short; without it such a card may be posted twice. */
  postFinder?: ChannelPostFinder;
  /** Told how long each delivery waited (outbox lag). */
  telemetry?: Pick<Telemetry, 'outboxDelivered'>;
}

type Outcome =
  | { kind: 'done'; patch?: (ticket: Ticket, now: Date) => Ticket }
  | { kind: 'dropped'; error: string }
  | { kind: 'retry'; error: string; afterMs?: number }
  | { kind: 'unreachable'; reason: UnreachableReason };

/**
 * How long a claim on an item lasts. Short, and renewed while a delivery runs, so a crashed instance's claim holds
 * a card back by seconds, not a minute; a stopping instance releases its claims at once.
 */
const DEFAULT_LEASE_MS = 10_000;

/** How far before an unrecorded post the channel is searched for it (clock differences, slow answers). */
const POST_SEARCH_MARGIN_MS = 5 * 60_000;

/** Longer waits for a conversation's send limits are scheduled as retries instead of slept through. */
const MAX_INLINE_WAIT_MS = 2_000;

class RateLimited extends Error {
  constructor(readonly waitMs: number) {
    super('rate limited');
  }
}

/** Statuses that are worth another try (msteams-docs rate-limit.md: 429, 412, 502, 504), plus 5xx and no answer. */
const RETRYABLE = new Set([408, 412, 429, 500, 502, 503, 504]);

/** Gives up on a kind of delivery after this many attempts; the channel card is never given up. */
const MAX_ATTEMPTS: Record<OutboxItem['message']['kind'], number> = {
  postCard: Infinity,
  toThread: 200,
  updateCard: 20,
  toUser: 200,
};

/**
 * Delivers what tickets have queued: the card in the support channel, its updates, messages into its thread and
 * to the user's personal chat. Items are stored on the ticket before anything is posted; each is removed only
 * after its post succeeded, so a crash or an outage delays a delivery but never loses one. A ticket's items go
 * out in order, one at a time; different tickets go out in parallel.
 */
export class TicketOutbox {
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly limiter: ConversationRateLimiter;
  private readonly instance = randomUUID();
  /** Tickets with an item this instance claimed and has not settled yet. */
  private readonly unsettled = new Set<number>();
  private readonly running = new Map<number, Promise<void>>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: TicketOutboxOptions) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? { baseMs: 1_000, maxMs: 5 * 60_000 };
    this.limiter = options.limiter ?? new ConversationRateLimiter(undefined, () => this.now().getTime());
  }

  /** Picks up whatever was left undelivered by an earlier run (a restart, a crash). */
  async start(): Promise<void> {
    for (const ticket of await this.options.repository.list())
      if (ticket.outbox.length > 0) this.kick(ticket.number);
  }

  /** Something was queued on this ticket: deliver it now (or when its backoff ends). */
  kick(number: number): void {
    if (this.stopped) return;
    const timer = this.timers.get(number);
    if (timer) clearTimeout(timer);
    this.timers.delete(number);
    if (this.running.has(number)) {
      // The running drive re-reads the ticket before it stops, so it will see the new item.
      this.rerun.add(number);
      return;
    }
    const drive = withCorrelation(`ticket-${number}`, () => this.drive(number))
      .catch((error: Error) => {
        // Storage trouble, say: try this ticket again later rather than waiting for a restart.
        this.schedule(number, this.backoff.maxMs);
        throw error;
      })
      .catch((error: Error) =>
        this.options.logger.error('ticket outbox failed', { ticket: number, error: error.message }),
      )
      .finally(() => {
        this.running.delete(number);
        if (this.rerun.delete(number)) this.kick(number);
      });
    this.running.set(number, drive);
  }

  private readonly rerun = new Set<number>();

  /** A support channel was registered: cards that were waiting for one go out now, not at their next retry. */
  async kickAll(): Promise<void> {
    const now = this.now().toISOString();
    for (const ticket of await this.options.repository.list()) {
      if (ticket.outbox.length === 0) continue;
      if (!ticket.card && ticket.outbox[0]?.message.kind === 'postCard')
        await this.options.repository.update(ticket.number, (current) => {
          const [first, ...rest] = current.outbox;
          return first?.message.kind === 'postCard'
            ? { ...current, outbox: [{ ...first, notBefore: now }, ...rest] }
            : current;
        });
      this.kick(ticket.number);
    }
  }

  /** Resolves when nothing is being delivered right now (items waiting for a backoff may remain). For tests. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Stops taking new work, waits for sends in flight (so storage is not closed under a send's feet), and releases
   * this instance's claims, so another instance takes the items at once.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.idle();
    // Only tickets whose claim was not settled (a storage error mid-settle) still carry this instance's claim.
    for (const number of this.unsettled) {
      await this.options.repository
        .update(number, (current) => ({
          ...current,
          outbox: current.outbox.map((i) =>
            i.leaseOwner === this.instance ? { ...i, leaseUntil: undefined, leaseOwner: undefined } : i,
          ),
        }))
        .catch((error: Error) =>
          this.options.logger.warn('could not release an outbox claim at shutdown; it runs out by itself', {
            ticket: number,
            error: error.message,
          }),
        );
    }
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Extends this instance's claim on an item while a slow delivery runs. */
  private renewWhileDelivering(number: number, itemId: string): NodeJS.Timeout {
    const timer = setInterval(() => {
      void this.options.repository
        .update(number, (current): RuleResult => {
          const first = current.outbox[0];
          if (first?.id !== itemId || first.leaseOwner !== this.instance) return { refused: 'busy' };
          const leaseUntil = new Date(this.now().getTime() + this.leaseMs).toISOString();
          return { ...current, outbox: [{ ...first, leaseUntil }, ...current.outbox.slice(1)] };
        })
        .catch((error: Error) =>
          this.options.logger.warn('could not renew an outbox claim', {
            ticket: number,
            error: error.message,
          }),
        );
    }, this.leaseMs / 2);
    timer.unref();
    return timer;
  }

  private async drive(number: number): Promise<void> {
    while (!this.stopped) {
      const ticket = await this.options.repository.get(number);
      const item = ticket?.outbox[0];
      if (!ticket || !item) return;
      const waitMs = Date.parse(item.notBefore) - this.now().getTime();
      if (waitMs > 0) return this.schedule(number, waitMs);

      let heldUntil = this.now().getTime() + this.leaseMs;
      // Claim the item, so a second instance on the same storage does not post it too.
      const claimed = await this.options.repository.update(number, (current): RuleResult => {
        const first = current.outbox[0];
        if (first?.id !== item.id) return { refused: 'busy' };
        const leasedByOther =
          first.leaseUntil &&
          first.leaseOwner !== this.instance &&
          Date.parse(first.leaseUntil) > this.now().getTime();
        if (leasedByOther) {
          heldUntil = Date.parse(first.leaseUntil!);
          return { refused: 'busy' };
        }
        if (first.leaseOwner && first.leaseOwner !== this.instance)
          this.options.logger.warn('taking over an outbox item whose claim ran out (its instance stopped?)', {
            ticket: number,
            kind: first.message.kind,
          });
        const leaseUntil = new Date(this.now().getTime() + this.leaseMs).toISOString();
        return {
          ...current,
          outbox: [{ ...first, leaseUntil, leaseOwner: this.instance }, ...current.outbox.slice(1)],
        };
      });
      if (!claimed || 'refused' in claimed) {
        if (claimed && 'refused' in claimed && claimed.refused === 'busy') {
          // Another instance holds it: look again when its claim runs out (it may have died).
          const until = heldUntil - this.now().getTime();
          return this.schedule(number, Math.max(100, Math.min(until + 50, this.leaseMs)));
        }
        continue;
      }
      this.unsettled.add(number);
      const renewal = this.renewWhileDelivering(number, item.id);
      let outcome: Outcome;
      try {
        outcome = await this.deliver(claimed, item);
      } finally {
        clearInterval(renewal);
      }
      await this.settle(number, item, outcome);
      this.unsettled.delete(number);
    }
  }

  private schedule(number: number, delayMs: number): void {
    if (this.stopped) return;
    const existing = this.timers.get(number);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(number);
      this.kick(number);
    }, delayMs);
    // Pending retries must not keep a stopping process alive; the next start picks them up.
    timer.unref();
    this.timers.set(number, timer);
  }

  private async settle(number: number, item: OutboxItem, outcome: Outcome): Promise<void> {
    const now = this.now();
    await this.options.repository.update(number, (ticket): RuleResult => {
      const rest = ticket.outbox.filter((i) => i.id !== item.id);
      const stored = ticket.outbox.find((i) => i.id === item.id);
      if (!stored) return ticket;
      if (outcome.kind === 'done') {
        const queuedAt = Date.parse(stored.queuedAt ?? stored.notBefore);
        this.options.telemetry?.outboxDelivered(item.message.kind, Math.max(0, now.getTime() - queuedAt));
        return (outcome.patch ?? ((t) => t))({ ...ticket, outbox: rest }, now);
      }
      if (outcome.kind === 'dropped') {
        this.options.logger.error('ticket delivery refused for good; dropped', {
          ticket: number,
          kind: item.message.kind,
          error: outcome.error,
        });
        return { ...ticket, outbox: rest };
      }
      if (outcome.kind === 'unreachable')
        return markUnreachable(
          { ...ticket, outbox: rest },
          this.options.views.unreachableText(this.options.supportLanguage, outcome.reason),
          now,
        );
      const attempts = stored.attempts + 1;
      if (attempts >= MAX_ATTEMPTS[item.message.kind]) {
        this.options.logger.error('ticket delivery given up', {
          ticket: number,
          kind: item.message.kind,
          attempts,
        });
        return { ...ticket, outbox: rest };
      }
      const delay = outcome.afterMs ?? backoffDelay(attempts, this.backoff, this.random);
      this.options.logger.warn('ticket delivery will be retried', {
        ticket: number,
        kind: item.message.kind,
        attempts,
        inMs: delay,
        error: outcome.error,
      });
      const retried: OutboxItem = {
        ...stored,
        attempts,
        notBefore: new Date(now.getTime() + delay).toISOString(),
        leaseUntil: undefined,
        leaseOwner: undefined,
        lastError: outcome.error,
      };
      return { ...ticket, outbox: [retried, ...rest.filter((i) => i.id !== item.id)] };
    });
  }

  private async deliver(ticket: Ticket, item: OutboxItem): Promise<Outcome> {
    try {
      switch (item.message.kind) {
        case 'postCard':
          return await this.postCard(ticket, item);
        case 'updateCard':
          return await this.updateCard(ticket, item);
        case 'toThread':
          return await this.toThread(ticket, item.message.event);
        case 'toUser':
          return await this.toUser(ticket, item.message.event);
      }
    } catch (error) {
      return this.classify(error, item);
    }
  }

  private async postCard(ticket: Ticket, item: OutboxItem): Promise<Outcome> {
    if (ticket.card) return { kind: 'done' };
    const channel = await this.options.channels.channelFor(ticket.category);
    const serviceUrl = channel?.serviceUrl ?? ticket.serviceUrl;
    if (!channel || !serviceUrl) {
      this.options.logger.warn('no support channel is set up: the ticket waits', { ticket: ticket.number });
      return { kind: 'retry', error: 'no support channel', afterMs: this.options.noChannelRetryMs ?? 60_000 };
    }
    const target = {
      channelId: channel.channelId,
      serviceUrl,
      tenantId: channel.tenantId ?? ticket.tenantId,
    };
    let posted: PostedThread | undefined;
    let marker = item.postMarker;
    if (item.postStartedAt && marker) {
      // An earlier attempt went out and its answer was never recorded: the card may be in the channel already.
      const found = await this.findEarlierPost(ticket, item, channel, marker);
      if (found) posted = this.options.messenger.threadOf(target, found);
    } else {
      marker = randomUUID();
      await this.markPostStarted(ticket.number, item.id, marker);
    }
    if (!posted) {
      await this.throttle(channel.channelId);
      posted = await this.options.messenger.postToChannel(target, this.cardActivity(ticket, marker));
      this.options.logger.info('ticket card posted', { ticket: ticket.number });
    }
    const thread = posted;
    // The card is out: a failure from here on must not make the post look failed (that would post it twice).
    await this.options.repository.rememberCard(thread.activityId, ticket.number).catch((error: Error) =>
      this.options.logger.error('could not index the ticket card; thread replies will not find it', {
        ticket: ticket.number,
        error: error.message,
      }),
    );
    return {
      kind: 'done',
      // The card was rendered from the ticket as it was when claimed; later changes queued their own update.
      patch: (t) => ({ ...t, card: { channelId: channel.channelId, ...thread } }),
    };
  }

  /** Records, before the post, that it is about to go out and the marker its card carries. */
  private async markPostStarted(number: number, itemId: string, marker: string): Promise<void> {
    const at = this.now().toISOString();
    const marked = await this.options.repository.update(number, (current): RuleResult => {
      const first = current.outbox[0];
      if (first?.id !== itemId || first.leaseOwner !== this.instance) return { refused: 'busy' };
      return {
        ...current,
        outbox: [{ ...first, postStartedAt: at, postMarker: marker }, ...current.outbox.slice(1)],
      };
    });
    // Another instance took the item over (this one stalled past its claim): posting now could post it twice.
    if (!marked || 'refused' in marked) throw new Error('the claim on the card post was lost');
  }

  /** The id of the card an earlier, unrecorded attempt posted, when the channel can be searched and has it. */
  private async findEarlierPost(
    ticket: Ticket,
    item: OutboxItem,
    channel: SupportChannel,
    marker: string,
  ): Promise<string | undefined> {
    const finder = this.options.postFinder;
    if (!finder || !channel.teamGroupId) {
      this.options.logger.warn(
        "an earlier post of this ticket's card was never confirmed and the channel cannot be searched (set SUPPORT_TEAM_GROUP_ID, or register the channel again): posting again, it may show twice",
        { ticket: ticket.number },
      );
      return undefined;
    }
    const since = new Date(Date.parse(item.postStartedAt!) - POST_SEARCH_MARGIN_MS);
    try {
      const found = await finder.findChannelPost(
        { teamGroupId: channel.teamGroupId, channelId: channel.channelId },
        since,
        marker,
      );
      if (found)
        this.options.logger.warn(
          'found the ticket card that an interrupted attempt posted; not posting again',
          {
            ticket: ticket.number,
          },
        );
      return found;
    } catch (error) {
      this.options.logger.warn('could not search the channel for an unconfirmed card post; posting again', {
        ticket: ticket.number,
        error: (error as Error).message,
      });
      return undefined;
    }
  }

  private async updateCard(ticket: Ticket, item: OutboxItem): Promise<Outcome> {
    // Not posted yet: the post will show the latest state. A later update in the queue makes this one moot.
    if (!ticket.card) return { kind: 'done' };
    if (ticket.outbox.some((i) => i.id !== item.id && i.message.kind === 'updateCard'))
      return { kind: 'done' };
    await this.throttle(ticket.card.threadConversationId);
    await this.options.messenger.update(
      ticket.card.thread as Partial<ConversationReference>,
      ticket.card.activityId,
      this.cardActivity(ticket),
    );
    return { kind: 'done' };
  }

  private async toThread(ticket: Ticket, eventIndex: number): Promise<Outcome> {
    if (!ticket.card) return { kind: 'retry', error: 'card not posted yet' };
    const event = ticket.events[eventIndex];
    if (!event) return { kind: 'done' };
    await this.throttle(ticket.card.threadConversationId);
    await this.options.messenger.send(
      ticket.card.thread as Partial<ConversationReference>,
      this.options.views.threadNote(this.options.supportLanguage, ticket, event),
    );
    return { kind: 'done' };
  }

  private async toUser(ticket: Ticket, eventIndex: number): Promise<Outcome> {
    const event = ticket.events[eventIndex];
    if (!event) return { kind: 'done' };
    // The latest reference wins: after a reinstall the chat (or its service URL) may have changed.
    const address =
      (await this.options.addresses.lookup(ticket.requester)) ??
      (ticket.requesterAddress as Partial<ConversationReference> | undefined);
    if (!address) return { kind: 'unreachable', reason: 'neverReached' };
    const conversationId = address.conversation?.id ?? '';
    await this.throttle(conversationId);
    await this.options.messenger.send(address, this.options.views.userNote(ticket.language, ticket, event));
    // Reached again: clear the warning on the agent's card.
    return {
      kind: 'done',
      patch: (t, now) =>
        t.unreachable ? enqueue({ ...t, unreachable: undefined }, now, { kind: 'updateCard' }) : t,
    };
  }

  private cardActivity(ticket: Ticket, postMarker?: string): Partial<Activity> {
    return {
      type: 'message',
      attachments: [this.options.views.channelCard(this.options.supportLanguage, ticket, postMarker)],
    };
  }

  /** Waits briefly for the conversation's send limits; a longer wait becomes a retry, so the lease stays valid. */
  private async throttle(conversationId: string): Promise<void> {
    const wait = this.limiter.delayFor(conversationId);
    if (wait > MAX_INLINE_WAIT_MS) throw new RateLimited(wait);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.limiter.record(conversationId);
  }

  private classify(error: unknown, item: OutboxItem): Outcome {
    if (error instanceof RateLimited) return { kind: 'retry', error: 'paced', afterMs: error.waitMs };
    const status = statusOf(error);
    const message = status ? `HTTP ${status}` : ((error as Error)?.message ?? 'unknown error').slice(0, 200);
    if (item.message.kind === 'toUser' && (status === 403 || status === 404))
      return { kind: 'unreachable', reason: status === 403 ? 'blocked' : 'neverReached' };
    if (status !== undefined && !RETRYABLE.has(status)) {
      if (item.message.kind === 'postCard') {
        // Never given up (a ticket must get its card), but loud: this is a setup problem an admin must fix.
        this.options.logger.error(
          'the support channel refused the ticket card: is the bot installed in that team, and is the channel id right? Retrying with backoff',
          { item: item.id, status },
        );
        return { kind: 'retry', error: message, afterMs: this.backoff.maxMs };
      }
      // A deleted thread or card will not come back: drop the note or update rather than block the ticket.
      return { kind: 'dropped', error: message };
    }
    return { kind: 'retry', error: message, afterMs: retryAfterMs(error) };
  }
}

function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: number; response?: { status?: number } } | undefined;
  return e?.statusCode ?? e?.response?.status;
}

/** Honours Retry-After (seconds, possibly fractional) on a 429. */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get?: (name: string) => string | undefined } } })
    ?.response?.headers;
  const value = headers?.get?.('retry-after');
  const seconds = value === undefined ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}
