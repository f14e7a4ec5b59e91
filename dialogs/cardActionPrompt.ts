import { MessageFactory, type TurnContext } from 'botbuilder';
import { Prompt, type PromptOptions, type PromptRecognizerResult } from 'botbuilder-dialogs';
import { parseCardAction, type CardAction, type CardActionName } from '../core/cardActions';
import { matchKeywords } from '../core/textMatching';
import type { CardAttachment } from '../cards/renderCard';

/**
 * What a prompt accepts. It is stored in dialog state, so it is plain data (no functions): that is what lets
 * a conversation continue after the bot restarts.
 */
export interface CardPromptSpec {
  accepts: CardActionName[];
  /** Ids the action must carry, so a button on an earlier card cannot answer this one. */
  match?: { question?: string; procedure?: string; step?: string };
  /** Typed answers: keywords that stand for a button. */
  textChoices?: { label: string; keywords: string[]; action: CardAction }[];
  retryText: string;
  staleText: string;
}

export interface CardPromptOptions extends PromptOptions {
  validations: CardPromptSpec;
}

export function cardPromptOptions(card: CardAttachment, spec: CardPromptSpec): CardPromptOptions {
  return { prompt: MessageFactory.attachment(card), validations: spec };
}

/**
 * A prompt that asks with a card. On a retry it first says why: a button from an older card ("stale") or an
 * answer it could not use.
 */
export abstract class CardPrompt<T> extends Prompt<T> {
  protected override async onPrompt(
    context: TurnContext,
    state: { lastWasStale?: boolean },
    options: PromptOptions,
    isRetry: boolean,
  ): Promise<void> {
    const spec = options.validations as { retryText: string; staleText: string };
    if (isRetry) await context.sendActivity(state.lastWasStale ? spec.staleText : spec.retryText);
    if (options.prompt) await context.sendActivity(options.prompt);
  }
}

/** Asks with a card; answers come from its buttons or as typed words. Anything else gets a retry, never silence. */
export class CardActionPrompt extends CardPrompt<CardAction> {
  constructor(dialogId: string) {
    super(dialogId);
  }

  protected override async onRecognize(
    context: TurnContext,
    state: { lastWasStale?: boolean },
    options: PromptOptions,
  ): Promise<PromptRecognizerResult<CardAction>> {
    const spec = options.validations as CardPromptSpec;
    const parsed = parseCardAction(context.activity.value);
    state.lastWasStale = false;
    if (parsed.kind === 'action') {
      if (spec.accepts.includes(parsed.action.action) && matchesIds(parsed.action, spec.match)) {
        return { succeeded: true, value: parsed.action };
      }
      state.lastWasStale = true;
      return { succeeded: false };
    }
    if (parsed.kind === 'none' && context.activity.text) {
      const choice = matchKeywords(context.activity.text, spec.textChoices ?? []);
      if (choice) return { succeeded: true, value: choice.action };
    }
    return { succeeded: false };
  }
}

function matchesIds(action: CardAction, match: CardPromptSpec['match']): boolean {
  if (!match) return true;
  const carried = action as Partial<Record<'question' | 'procedure' | 'step', string>>;
  return (Object.keys(match) as (keyof typeof match)[]).every((key) => carried[key] === match[key]);
}
