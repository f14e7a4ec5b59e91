import {
  isActive,
  type Attachment,
  type OutboxMessage,
  type Person,
  type Ticket,
  type TicketEvent,
  type TicketStatus,
} from './ticket';

/**
 * What may happen to a ticket, and what it sets in motion. Each rule is a pure function from the stored ticket
 * to the next one or to a refusal; the caller saves the result with optimistic concurrency, so two agents who
 * press Take together both run `take` on the same version and only one save wins.
 */
export type Refusal =
  | { refused: 'alreadyTaken'; assignee: Person }
  | { refused: 'notAssignee'; assignee: Person }
  | { refused: 'notActive'; status: TicketStatus }
  | { refused: 'notResolved'; status: TicketStatus }
  | { refused: 'notRequester' }
  | { refused: 'emptyMessage' }
  /** Another instance is delivering this ticket's outbox right now. */
  | { refused: 'busy' }
  /** The user already said whether it was solved. */
  | { refused: 'alreadyAnswered' };

export type RuleResult = Ticket | Refusal;
export const isRefusal = (result: RuleResult): result is Refusal => 'refused' in result;

/** What the escalation knows when it opens a ticket; the rest (status, events, outbox…) starts here. */
export type TicketDraft = Pick<
  Ticket,
  | 'requester'
  | 'requesterAddress'
  | 'tenantId'
  | 'serviceUrl'
  | 'category'
  | 'language'
  | 'summary'
  | 'details'
  | 'trail'
>;

/** Text from people is kept whole up to a length that fits on a card and in a Teams message. */
export const MESSAGE_LIMIT = 2000;

const clip = (text: string): string =>
  text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;

export function newTicket(number: number, draft: TicketDraft, now: Date): Ticket {
  const at = now.toISOString();
  const ticket: Ticket = {
    number,
    ...draft,
    status: 'open',
    createdAt: at,
    updatedAt: at,
    relayActive: false,
    events: [{ at, kind: 'opened', by: draft.requester }],
    outbox: [],
    outboxSeq: 0,
  };
  return enqueue(ticket, now, { kind: 'postCard' });
}

/** Adds outbox items; they are due at once. */
export function enqueue(ticket: Ticket, now: Date, ...messages: OutboxMessage[]): Ticket {
  let seq = ticket.outboxSeq;
  const items = messages.map((message) => ({
    id: `${ticket.number}.${++seq}`,
    message,
    attempts: 0,
    notBefore: now.toISOString(),
    queuedAt: now.toISOString(),
  }));
  return { ...ticket, outbox: [...ticket.outbox, ...items], outboxSeq: seq };
}

function withEvent(
  ticket: Ticket,
  now: Date,
  event: Omit<TicketEvent, 'at'>,
  deliverTo: ('thread' | 'user')[],
): Ticket {
  const index = ticket.events.length;
  const updated: Ticket = {
    ...ticket,
    updatedAt: now.toISOString(),
    events: [...ticket.events, { at: now.toISOString(), ...event }],
  };
  return enqueue(
    updated,
    now,
    ...deliverTo.map((to): OutboxMessage =>
      to === 'thread' ? { kind: 'toThread', event: index } : { kind: 'toUser', event: index },
    ),
    // Every change re-renders the card in the channel, so everyone sees the same state.
    { kind: 'updateCard' },
  );
}

const samePerson = (a: Person, b: Person): boolean =>
  a.aadObjectId && b.aadObjectId ? a.aadObjectId === b.aadObjectId : a.id === b.id;

export const isRequester = (ticket: Ticket, person: Person): boolean => samePerson(ticket.requester, person);

export function take(ticket: Ticket, agent: Person, now: Date): RuleResult {
  if (!isActive(ticket)) return { refused: 'notActive', status: ticket.status };
  if (ticket.assignee) return { refused: 'alreadyTaken', assignee: ticket.assignee };
  return withEvent(
    { ...ticket, status: 'assigned', assignee: agent, relayActive: true },
    now,
    { kind: 'taken', by: agent },
    ['user'],
  );
}

/** An agent's words for the user, from the ticket's thread or the card's Reply box. An open ticket is taken. */
export function agentMessage(
  ticket: Ticket,
  agent: Person,
  text: string,
  attachments: Attachment[],
  now: Date,
): RuleResult {
  if (!isActive(ticket)) return { refused: 'notActive', status: ticket.status };
  if (!text.trim() && attachments.length === 0) return { refused: 'emptyMessage' };
  let current = ticket;
  if (!current.assignee) {
    const taken = take(current, agent, now);
    if (isRefusal(taken)) return taken;
    current = taken;
  }
  return withEvent(
    { ...current, status: 'waitingForUser', relayActive: true, unreachable: undefined },
    now,
    { kind: 'agentMessage', by: agent, text: clip(text.trim()), attachments },
    ['user'],
  );
}

export function userMessage(
  ticket: Ticket,
  user: Person,
  text: string,
  attachments: Attachment[],
  now: Date,
  /** From "add information" in my tickets, rather than a reply in the conversation with the agent. */
  asInfo = false,
): RuleResult {
  if (!isRequester(ticket, user)) return { refused: 'notRequester' };
  if (!isActive(ticket)) return { refused: 'notActive', status: ticket.status };
  if (!text.trim() && attachments.length === 0) return { refused: 'emptyMessage' };
  const status: TicketStatus = ticket.status === 'waitingForUser' ? 'assigned' : ticket.status;
  const kind = ticket.relayActive && !asInfo ? 'userMessage' : 'userInfo';
  return withEvent({ ...ticket, status }, now, { kind, by: user, text: clip(text.trim()), attachments }, [
    'thread',
  ]);
}

export function resolve(ticket: Ticket, agent: Person, now: Date): RuleResult {
  if (!isActive(ticket)) return { refused: 'notActive', status: ticket.status };
  if (ticket.assignee && !samePerson(ticket.assignee, agent))
    return { refused: 'notAssignee', assignee: ticket.assignee };
  return withEvent(
    // A new resolve asks the user again, even if they answered an earlier one.
    {
      ...ticket,
      status: 'resolved',
      assignee: ticket.assignee ?? agent,
      relayActive: false,
      feedback: undefined,
    },
    now,
    { kind: 'resolved', by: agent },
    ['user'],
  );
}

export function close(ticket: Ticket, agent: Person, now: Date): RuleResult {
  if (ticket.status === 'closed') return { refused: 'notActive', status: ticket.status };
  return withEvent({ ...ticket, status: 'closed', relayActive: false }, now, { kind: 'closed', by: agent }, [
    'user',
  ]);
}

/** Back to work: the agent who reopens it holds it. */
export function reopen(ticket: Ticket, agent: Person, now: Date): RuleResult {
  if (isActive(ticket)) return { refused: 'notResolved', status: ticket.status };
  return withEvent(
    { ...ticket, status: 'assigned', assignee: agent, relayActive: true, feedback: undefined },
    now,
    { kind: 'reopened', by: agent },
    ['user'],
  );
}

export function withdraw(ticket: Ticket, user: Person, now: Date): RuleResult {
  if (!isRequester(ticket, user)) return { refused: 'notRequester' };
  if (!isActive(ticket)) return { refused: 'notActive', status: ticket.status };
  return withEvent(
    { ...ticket, status: 'closed', relayActive: false },
    now,
    { kind: 'withdrawn', by: user },
    ['thread'],
  );
}

/** The user says "end": their messages stop going to the agent; the agent still resolves or closes it. */
export function leave(ticket: Ticket, user: Person, now: Date): RuleResult {
  if (!isRequester(ticket, user)) return { refused: 'notRequester' };
  if (!isActive(ticket)) return { refused: 'notActive', status: ticket.status };
  return withEvent({ ...ticket, relayActive: false }, now, { kind: 'userLeft', by: user }, ['thread']);
}

/** The user's answer after a resolve: solved or not, and a rating. "Not solved" puts it back to work. */
export function feedback(
  ticket: Ticket,
  user: Person,
  solved: boolean,
  rating: number | undefined,
  now: Date,
): RuleResult {
  if (!isRequester(ticket, user)) return { refused: 'notRequester' };
  if (ticket.status !== 'resolved') return { refused: 'notResolved', status: ticket.status };
  if (ticket.feedback) return { refused: 'alreadyAnswered' };
  const reopened: Partial<Ticket> = solved
    ? {}
    : { status: ticket.assignee ? 'assigned' : 'open', relayActive: !!ticket.assignee };
  return withEvent(
    { ...ticket, ...reopened, feedback: { solved, ...(rating ? { rating } : {}) } },
    now,
    { kind: 'feedback', by: user, text: rating ? String(rating) : undefined },
    ['thread'],
  );
}

/** A delivery to the user failed for good: the agent's card says so until one succeeds. */
export function markUnreachable(ticket: Ticket, reason: string, now: Date): Ticket {
  if (ticket.unreachable === reason) return ticket;
  return enqueue({ ...ticket, unreachable: reason, updatedAt: now.toISOString() }, now, {
    kind: 'updateCard',
  });
}
