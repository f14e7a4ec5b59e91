import type { Middleware, TurnContext } from 'botbuilder';
import { isProactiveTurn } from './proactiveScope';

/**
 * Runs one turn at a time per user and conversation. botbuilder's BotState saves with eTag '*', so two turns
 * racing on the same state (a double-clicked button) would silently drop one turn's progress; queueing them
 * avoids the race within this process.
 */
export class TurnSerializer implements Middleware {
  private readonly tails = new Map<string, Promise<void>>();

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // Proactive sends touch no user state and must not wait behind a user's turn.
    if (isProactiveTurn()) return next();
    const key = `${context.activity.conversation?.id ?? ''}|${context.activity.from?.id ?? ''}`;
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    try {
      await previous;
      await next();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
