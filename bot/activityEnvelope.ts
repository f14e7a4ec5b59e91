import { z } from 'zod';

/** Deeper JSON than this is no activity Teams sends; it only costs memory and stack further on. */
const MAX_DEPTH = 32;

const id = z.string().min(1).max(1024);
const account = z.object({ id: id.optional(), aadObjectId: z.string().max(128).optional() }).passthrough();
const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return /^https?:$/.test(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

/**
 * The shape of an activity as the bot relies on it, checked before botbuilder sees it: strings where strings are
 * read (a numeric serviceUrl crashed deep inside the SDK), ids of sane length, tenant ids as strings. Unknown
 * fields pass through untouched.
 */
const envelope = z
  .object({
    type: z.string().min(1).max(64),
    id: id.optional(),
    name: z.string().max(256).optional(),
    channelId: z.string().max(64).optional(),
    // Where replies go: without it the SDK would send them to a default cloud endpoint.
    serviceUrl: httpUrl,
    text: z.string().max(100_000).optional(),
    locale: z.string().max(32).optional(),
    from: account.optional(),
    recipient: account.optional(),
    conversation: z
      .object({ id: id.optional(), tenantId: z.string().max(128).optional() })
      .passthrough()
      .optional(),
    channelData: z
      .object({
        tenant: z
          .object({ id: z.string().max(128).optional() })
          .passthrough()
          .optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough()
  .superRefine((activity, ctx) => {
    // A Universal Action must carry an action object: anything else is not a card's button.
    if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
      const value = (activity as { value?: unknown }).value;
      const action = value && typeof value === 'object' ? (value as { action?: unknown }).action : undefined;
      if (!action || typeof action !== 'object' || Array.isArray(action))
        ctx.addIssue({ code: 'custom', path: ['value', 'action'], message: 'must be an object' });
    }
  });

export type EnvelopeCheck = { ok: true } | { ok: false; problem: string };

/** Whether a request body is an activity the bot can safely process; the problem names a field, never a value. */
export function checkEnvelope(body: unknown): EnvelopeCheck {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return { ok: false, problem: 'the body must be an activity object' };
  if (depthOf(body) > MAX_DEPTH) return { ok: false, problem: 'the activity is nested too deeply' };
  const result = envelope.safeParse(body);
  if (result.success) return { ok: true };
  const issue = result.error.issues[0];
  return { ok: false, problem: `${issue.path.join('.') || 'activity'}: ${issue.message}` };
}

/** Nesting depth, counted without recursion (a hostile body must not blow the stack here either). */
function depthOf(root: object): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (!value || typeof value !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(value))
      if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}
