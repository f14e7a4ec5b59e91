import { noHelpDeskEvents, type HelpDeskEvents } from '../stats/helpDeskEvents';
import { isActive, type Person, type Ticket } from './ticket';
import {
  isRefusal,
  isRequester,
  newTicket,
  type Refusal,
  type RuleResult,
  type TicketDraft,
} from './ticketRules';

/** Where tickets are kept. The bot's storage implements it; every write is conditional on what was read. */
export interface TicketRepository {
  /** Takes the next ticket number and stores the ticket built with it; a number is never handed out twice. */
  create(build: (number: number) => Ticket): Promise<Ticket>;
  /**
   * As `create`, once per key: a later call with the same key (from any instance) returns the first ticket, with
   * `existed`. Calls racing on one key open one ticket; the losers' numbers are skipped.
   */
  createOnce(key: string, build: (number: number) => Ticket): Promise<{ ticket: Ticket; existed: boolean }>;
  /** The ticket `createOnce` opened with this key. */
  findByKey(key: string): Promise<Ticket | undefined>;
  get(number: number): Promise<Ticket | undefined>;
  /**
   * Applies `change` to the stored ticket and saves it only if nobody saved in between; on a conflict it reads
   * again and re-applies, so the change always sees the latest ticket.
   */
  update(number: number, change: (ticket: Ticket) => RuleResult): Promise<RuleResult | undefined>;
  /** Every ticket, oldest first. */
  list(): Promise<Ticket[]>;
  /** One requester's tickets, oldest first, without reading everyone's. */
  listByRequester(person: Person): Promise<Ticket[]>;
  /** The ticket whose channel card has this activity id (the root of its thread). */
  findByCard(activityId: string): Promise<Ticket | undefined>;
  /** Remembers which ticket a posted card belongs to, for `findByCard`. */
  rememberCard(activityId: string, number: number): Promise<void>;
}

export type ActResult = { ticket: Ticket } | Refusal | { refused: 'notFound' };

/**
 * The help desk's ticket operations, free of any chat platform: open a ticket, apply a rule to it, and tell the
 * outbox that something is waiting to be delivered.
 */
export class TicketDesk {
  constructor(
    private readonly repository: TicketRepository,
    private readonly now: () => Date,
    /** Called after every saved change whose outbox is not empty. */
    private readonly onPending: (ticket: Ticket) => void,
    /** Told of openings, takes, resolutions and ratings, for the dashboard. */
    private readonly events: HelpDeskEvents = noHelpDeskEvents,
  ) {}

  async open(draft: TicketDraft): Promise<Ticket> {
    const ticket = await this.repository.create((number) => newTicket(number, draft, this.now()));
    this.onPending(ticket);
    this.events.record({ kind: 'ticketOpened', category: ticket.category });
    return ticket;
  }

  /** The ticket a key (a confirm card's id) opened, if any. */
  openedBy(key: string): Promise<Ticket | undefined> {
    return this.repository.findByKey(key);
  }

  /** Opens a ticket once per key (a confirm card's id); the same key again returns the first ticket. */
  async openOnce(draft: TicketDraft, key: string): Promise<{ ticket: Ticket; existed: boolean }> {
    const result = await this.repository.createOnce(key, (number) => newTicket(number, draft, this.now()));
    // Also for a ticket that existed: a Send after a crash may have just written it for the process that died, and
    // its card is then still to post. Asking the outbox twice is harmless (its claims keep a post single).
    if (result.ticket.outbox.length > 0) this.onPending(result.ticket);
    if (!result.existed) this.events.record({ kind: 'ticketOpened', category: result.ticket.category });
    return result;
  }

  get(number: number): Promise<Ticket | undefined> {
    return this.repository.get(number);
  }

  async act(number: number, rule: (ticket: Ticket, now: Date) => RuleResult): Promise<ActResult> {
    let before: Ticket | undefined;
    const result = await this.repository.update(number, (ticket) => {
      before = ticket;
      return rule(ticket, this.now());
    });
    if (!result) return { refused: 'notFound' };
    if (isRefusal(result)) return result;
    if (result.outbox.length > 0) this.onPending(result);
    if (before) this.countChange(before, result);
    return { ticket: result };
  }

  /** What the dashboard counts in a change: a first take, a resolution, a close, a rating. */
  private countChange(before: Ticket, after: Ticket): void {
    if (!before.assignee && after.assignee)
      this.events.record({
        kind: 'ticketTaken',
        minutes: (this.now().getTime() - Date.parse(before.createdAt)) / 60_000,
      });
    if (before.status !== after.status && after.status === 'resolved')
      this.events.record({ kind: 'ticketResolved' });
    if (before.status !== after.status && after.status === 'closed')
      this.events.record({ kind: 'ticketClosed' });
    if (!before.feedback && after.feedback)
      this.events.record({
        kind: 'ticketRated',
        solved: after.feedback.solved,
        rating: after.feedback.rating,
      });
  }

  /** The support queue: tickets still being worked on, oldest first. */
  async queue(): Promise<Ticket[]> {
    return (await this.repository.list()).filter(isActive);
  }

  /** A user's tickets, newest first. */
  async ticketsOf(person: Person): Promise<Ticket[]> {
    return (await this.repository.listByRequester(person)).filter((t) => isRequester(t, person)).reverse();
  }

  /** The ticket whose thread this is, from the thread's root message id. */
  byCard(activityId: string): Promise<Ticket | undefined> {
    return this.repository.findByCard(activityId);
  }

  /**
   * The ticket a user is talking about through the bot right now: the one they name, else the one whose agent
   * wrote last (the user is most likely answering that), among active tickets with the relay on.
   */
  async relayFor(person: Person, named?: number): Promise<Ticket | undefined> {
    const candidates = (await this.ticketsOf(person)).filter((t) => isActive(t) && t.relayActive);
    const chosen = candidates.find((t) => t.number === named);
    if (chosen) return chosen;
    const lastFromAgent = (t: Ticket) =>
      [...t.events].reverse().find((e) => ['taken', 'agentMessage', 'reopened'].includes(e.kind))?.at ?? '';
    return candidates.sort((a, b) => lastFromAgent(b).localeCompare(lastFromAgent(a)))[0];
  }
}
