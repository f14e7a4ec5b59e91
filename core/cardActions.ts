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

export const cardActionSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('diagnosis.start'),
    flow: z.enum(FLOW_CHOICES).optional(),
  }),
  z.object({ action: z.literal('diagnosis.choose'), question: slug, choice: slug }),
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
]);

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
