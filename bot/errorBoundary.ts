import { randomUUID } from 'node:crypto';
import { ActivityTypes, type BotState, type TurnContext } from 'botbuilder';
import type { ContentCatalog } from '../core/content/catalog';
import { languageOf } from '../dialogs/turnLanguage';
import type { Logger } from './logger';
import { isProactiveTurn } from './proactiveScope';

/**
 * The one place errors from a turn end up. The user gets a short apology in their language with a reference
 * that matches the log line; never the error's message or stack.
 */
export function createTurnErrorHandler(deps: {
  catalog: ContentCatalog;
  logger: Logger;
  /** Cleared so that a user is not stuck replaying the step that failed. */
  userInConversationState: BotState;
}) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    const reference = randomUUID().slice(0, 8);
    if (isProactiveTurn()) {
      // Nobody is waiting for an answer: the outbox sees the failure and retries.
      deps.logger.error('proactive turn failed', { reference, error });
      return;
    }
    deps.logger.error('turn failed', {
      reference,
      error,
      activityType: context.activity.type,
      conversationType: context.activity.conversation?.conversationType,
    });
    try {
      await deps.userInConversationState.delete(context);
    } catch (stateError) {
      deps.logger.error('could not clear dialog state after a failed turn', {
        reference,
        error: stateError as Error,
      });
    }
    if (context.activity.type === ActivityTypes.Invoke) return; // the adapter answers the invoke with a 500
    try {
      const language = languageOf(context);
      await context.sendActivity(deps.catalog.text(language, 'error.generic', { reference }));
    } catch (sendError) {
      deps.logger.error('could not tell the user about a failed turn', {
        reference,
        error: sendError as Error,
      });
    }
  };
}
