import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import { isProactiveTurn } from './proactiveScope';

/**
 * Sends a turn's replies only once the turn is over, i.e. after the bot saved its state. A process that dies
 * mid-turn has then either sent nothing (the user sends again and gets the same answer) or saved the state the
 * replies belong to, so the first click after a restart is never on a card the bot has no record of. Typing
 * indicators and invoke answers are not held: one is for the wait, the other travels in the HTTP response; nor is
 * anything in a proactive turn.
 */
export class HoldRepliesUntilSaved implements Middleware {
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // A proactive send (the ticket outbox) must see its own failures: nothing to hold there.
    if (isProactiveTurn()) return next();
    const held: Partial<Activity>[] = [];
    let holding = true;
    context.onSendActivities(async (_context, activities, send) => {
      const passes = (a: Partial<Activity>) =>
        a.type === ActivityTypes.Typing || a.type === ActivityTypes.InvokeResponse || a.type === 'delay';
      if (!holding || activities.every(passes)) return send();
      held.push(...activities);
      return activities.map(() => ({ id: '' }));
    });
    try {
      await next();
    } finally {
      holding = false;
      if (held.length > 0) await context.sendActivities(held);
    }
  }
}
