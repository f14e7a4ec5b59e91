import { z } from 'zod';

/**
 * Every Action.Submit / Action.Execute payload the bot's cards carry. Parsed here, in one place; anything
 * else is answered as an unknown action rather than guessed at.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Where a diagnosis can start: the three flows, a person, or the menu. */
export const FLOW_CHOICES = ['signin-repair', 'activation', 'account', 'person', 'menu'] as const;
export type FlowChoice = (typeof FLOW_CHOICES)[number];

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
  .max(80);

/** Ticket numbers travel as numbers or digit strings (Action.Submit data is JSON; inputs are strings). */
const ticketNumber = z.coerce.number().int().positive().max(999_999_999);
const optionalInput = z.string().max(4000).optional();

export const cardActionSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('diagnosis.start'),
    flow: z.enum(FLOW_CHOICES).optional(),
  }),
  z.object({ action: z.literal('diagnosis.choose'), question: slug, choice: slug }),
  /** Back to the diagnosis that was set aside when the user named another problem. */
  z.object({ action: z.literal('diagnosis.resume') }),
  /** "Back": to the previous question, or the previous step. */
  z.object({
    action: z.literal('diagnosis.back'),
    question: slug.optional(),
    procedure: slug.optional(),
    step: slug.optional(),
  }),
  z.object({
    action: z.literal('diagnosis.step'),
    procedure: slug,
    step: slug,
    outcome: z.enum(['done', 'notHelped', 'checklist']),
  }),
  z.object({
    action: z.literal('diagnosis.checklist'),
    procedure: slug,
    view: z.enum(['submit', 'stepByStep']),
  }),
  z.object({ action: z.literal('diagnosis.verify'), procedure: slug, answer: z.enum(['yes', 'no']) }),
  z.object({
    action: z.literal('diagnosis.next'),
    procedure: slug,
    choice: z.union([slug, z.literal('person')]),
  }),
  z.object({ action: z.literal('command'), name: z.enum(['help', 'cancel', 'restart']) }),
  z.object({ action: z.literal('activation.next'), choice: z.enum(['continue', 'person', 'done']) }),
  z.object({ action: z.literal('admin.license'), query: z.string().trim().min(1).max(256) }),
  z.object({ action: z.literal('admin.pickUser'), userId: z.string().regex(GUID) }),
  z.object({ action: z.literal('admin.pickGroup'), groupId: z.string().regex(GUID) }),
  // Escalation, in the user's chat. Input values arrive merged into the payload; empty ones may be missing.
  z.object({
    action: z.literal('ticket.details'),
    errorMessage: optionalInput,
    stepsTried: optionalInput,
    device: optionalInput,
    browser: optionalInput,
  }),
  z.object({ action: z.literal('ticket.screenshot'), choice: z.enum(['none', 'keep']) }),
  z.object({
    action: z.literal('ticket.confirm'),
    choice: z.enum(['send', 'edit', 'cancel']),
    /**
     * The confirm card's id: a Send pressed again after its dialog ended finds the ticket it opened. Not named
     * `key`: the Playground's card renderer owns a read-only `key` on submit data and drops such a click.
     */
    confirmCard: z.string().max(64).optional(),
  }),
  z.object({ action: z.literal('ticket.withdraw'), ticket: ticketNumber }),
  z.object({ action: z.literal('ticket.addInfo'), ticket: ticketNumber, info: optionalInput }),
  z.object({
    action: z.literal('ticket.feedback'),
    ticket: ticketNumber,
    solved: z.enum(['yes', 'no']),
    rating: z.enum(['1', '2', '3', '4', '5', '']).optional(),
  }),
  z.object({ action: z.literal('ticket.mine') }),
]);

/**
 * Universal Actions on a ticket's card in the support channel. Only the verb and the ticket number are read from
 * the card; who may do what is decided from the ticket and the person pressing, never from the payload.
 */
export const TICKET_VERBS = [
  'ticket.take',
  'ticket.reply',
  'ticket.resolve',
  'ticket.close',
  'ticket.reopen',
] as const;
export type TicketVerb = (typeof TICKET_VERBS)[number];

const ticketExecuteSchema = z.object({
  verb: z.enum(TICKET_VERBS),
  data: z.object({ ticket: ticketNumber, reply: optionalInput }),
});

export type TicketExecute = { verb: TicketVerb; ticket: number; reply?: string };

/** The `action` of an adaptiveCard/action invoke (or its Action.Submit fallback, which carries the verb in data). */
export function parseTicketExecute(
  action: { verb?: unknown; data?: unknown } | undefined,
): TicketExecute | undefined {
  const result = ticketExecuteSchema.safeParse(action ?? {});
  return result.success
    ? { verb: result.data.verb, ticket: result.data.data.ticket, reply: result.data.data.reply }
    : undefined;
}

export type CardAction = z.infer<typeof cardActionSchema>;
export type CardActionName = CardAction['action'];

export type ParsedCardAction =
  { kind: 'none' } | { kind: 'action'; action: CardAction } | { kind: 'invalid' };

/** `value` is the activity's value: undefined for typed text, an object for card submits. */
export function parseCardAction(value: unknown): ParsedCardAction {
  if (value === undefined || value === null) return { kind: 'none' };
  const result = cardActionSchema.safeParse(value);
  return result.success ? { kind: 'action', action: result.data } : { kind: 'invalid' };
}
