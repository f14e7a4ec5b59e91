/**
 * Teams' documented limits for one bot in one conversation: 7 sends a second, 60 in 30 seconds, 1,800 an hour
 * (msteams-docs bots/how-to/rate-limit.md). Proactive sends wait their turn here instead of collecting 429s.
 */
export const TEAMS_SEND_LIMITS: readonly { windowMs: number; max: number }[] = [
  { windowMs: 1_000, max: 7 },
  { windowMs: 30_000, max: 60 },
  { windowMs: 3_600_000, max: 1_800 },
];

export class ConversationRateLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly limits = TEAMS_SEND_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds to wait before the next send to this conversation is within every limit; 0 if none. */
  delayFor(conversationId: string): number {
    const now = this.now();
    const longest = Math.max(...this.limits.map((l) => l.windowMs));
    const times = (this.sent.get(conversationId) ?? []).filter((t) => t > now - longest);
    this.sent.set(conversationId, times);
    let wait = 0;
    for (const { windowMs, max } of this.limits) {
      const inWindow = times.filter((t) => t > now - windowMs);
      // The oldest send in the window must fall out of it before another fits.
      if (inWindow.length >= max) wait = Math.max(wait, inWindow[inWindow.length - max] + windowMs - now);
    }
    return wait;
  }

  record(conversationId: string): void {
    const times = this.sent.get(conversationId) ?? [];
    times.push(this.now());
    this.sent.set(conversationId, times);
    // Now and then, forget conversations that sent nothing within the longest window (bounded memory).
    if (++this.recorded % 1000 === 0) {
      const longest = Math.max(...this.limits.map((l) => l.windowMs));
      for (const [id, sent] of this.sent)
        if ((sent.at(-1) ?? 0) <= this.now() - longest) this.sent.delete(id);
    }
  }

  private recorded = 0;
}

/** Exponential backoff with jitter: attempt 1 waits about `baseMs`, doubling up to `maxMs`. */
export function backoffDelay(
  attempt: number,
  { baseMs, maxMs }: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": never less than half the step, so retries spread out without collapsing to zero.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
