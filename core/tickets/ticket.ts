import type { DiagnosisTrail } from '../diagnosis';
import type { Language } from '../language';

/**
 * A support ticket: what the user asked, what the bot already knows, who is helping, and what still has to be
 * delivered (the outbox). Plain data, stored as one document, so a ticket and its pending posts are written
 * together: there is never a ticket whose card nobody will post.
 */
export const TICKET_STATUSES = ['open', 'assigned', 'waitingForUser', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_CATEGORIES = ['signin', 'activation', 'account', 'other'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

/** Statuses in which the ticket is still someone's work. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['open', 'assigned', 'waitingForUser'];
export const isActive = (ticket: Pick<Ticket, 'status'>): boolean => ACTIVE_STATUSES.includes(ticket.status);

/** A person as Teams names them: the channel-specific id, the Entra object id when known, and a display name. */
export interface Person {
  id: string;
  aadObjectId?: string;
  name: string;
  /** Sign-in name or e-mail, when Teams told us: tells two people of the same name apart, and opens a chat. */
  upn?: string;
}

/**
 * Where the bot can reach a conversation later, outside a turn. Opaque to the core: the bot layer stores a
 * Bot Framework conversation reference here.
 */
export type ConversationAddress = Record<string, unknown>;

/** What the user answered before sending; every field is optional, the trail already holds the rest. */
export interface TicketDetails {
  errorMessage?: string;
  stepsTried?: string;
  device?: string;
  browser?: string;
  screenshots: Attachment[];
}

export interface Attachment {
  name: string;
  url: string;
}

/** Where the ticket's card lives once posted: the channel, the card's activity id and its thread. */
export interface ChannelCard {
  channelId: string;
  activityId: string;
  threadConversationId: string;
  /** The conversation reference of the thread, for replies and updates outside a turn. */
  thread: ConversationAddress;
}

export type TicketEventKind =
  | 'opened'
  | 'taken'
  | 'agentMessage'
  | 'userMessage'
  | 'userInfo'
  | 'resolved'
  | 'closed'
  | 'reopened'
  | 'withdrawn'
  | 'userLeft'
  | 'feedback';

export interface TicketEvent {
  at: string;
  kind: TicketEventKind;
  by?: Person;
  text?: string;
  attachments?: Attachment[];
}

/** Something to post, kept on the ticket until it was delivered. Rendered from the ticket when it is sent. */
export type OutboxMessage =
  /** Post the ticket's card as a new thread in the support channel. */
  | { kind: 'postCard' }
  /** Re-render the card from the ticket and update it in place. */
  | { kind: 'updateCard' }
  /** A message into the ticket's thread: the event at this index of `ticket.events`. */
  | { kind: 'toThread'; event: number }
  /** A message to the user's personal chat about the event at this index. */
  | { kind: 'toUser'; event: number };

export interface OutboxItem {
  id: string;
  message: OutboxMessage;
  attempts: number;
  /** ISO time before which the item is not tried again (backoff). */
  notBefore: string;
  /** When it was queued (absent on items stored before this was kept). */
  queuedAt?: string;
  /** While one instance is sending, others leave the item alone (ISO time). */
  leaseUntil?: string;
  leaseOwner?: string;
  lastError?: string;
  /**
   * The channel card only: when it was first sent and the marker its card carries. A later attempt looks for the
   * marker in the channel first, since an earlier post may have gone out without being recorded.
   */
  postStartedAt?: string;
  postMarker?: string;
}

export interface Feedback {
  solved: boolean;
  rating?: number;
}

export interface Ticket {
  number: number;
  requester: Person;
  /** The requester's personal chat, if the bot has ever talked to them there. */
  requesterAddress?: ConversationAddress;
  tenantId?: string;
  /** The Bot Framework service URL of the requester's turn: channels of the same tenant are reached through it. */
  serviceUrl?: string;
  category: TicketCategory;
  language: Language;
  summary: string;
  details: TicketDetails;
  trail: DiagnosisTrail;
  status: TicketStatus;
  assignee?: Person;
  createdAt: string;
  updatedAt: string;
  /** True while messages between the user and the agent go through the bot. */
  relayActive: boolean;
  card?: ChannelCard;
  events: TicketEvent[];
  outbox: OutboxItem[];
  /** Numbers outbox items, so each has an id unique within the ticket. */
  outboxSeq: number;
  feedback?: Feedback;
  /** Why the user could not be reached, shown on the agent's card until a delivery succeeds. */
  unreachable?: string;
}

/** The short, human-friendly form used everywhere: "#12". */
export const ticketLabel = (ticket: Pick<Ticket, 'number'> | number): string =>
  `#${typeof ticket === 'number' ? ticket : ticket.number}`;

/** A Teams channel that receives tickets. */
export interface SupportChannel {
  /** The channel's conversation id, e.g. 19:…@thread.tacv2. */
  channelId: string;
  /** Known for registered channels; a configured one is reached through the requester's service URL. */
  serviceUrl?: string;
  tenantId?: string;
  /** The team's thread id (19:…), from the registering turn. */
  teamId?: string;
  /** The team's Microsoft 365 group id, which Graph names the team by. */
  teamGroupId?: string;
  registeredBy?: string;
  registeredAt?: string;
}
