import { MessageFactory, type TurnContext } from 'botbuilder';
import { Prompt, type PromptOptions, type PromptRecognizerResult } from './dialogsLibrary';
import { parseCardAction, type CardAction, type CardActionName } from '../core/cardActions';
import { reportsDone } from '../core/conversation/reportsDone';
import { closestByWords, matchKeywordsWithKeyword } from '../core/textMatching';
import type { WaitingCard } from '../core/conversation/typedText';
import type { CardAttachment } from '../cards/renderCard';

/**
 * What a prompt accepts. It is stored in dialog state, so it is plain data (no functions): that is what lets
 * a conversation continue after the bot restarts.
 */
export interface CardPromptSpec {
  /** What the card is, for reading typed text against it (answer, command or new problem). */
  waiting: WaitingCard;
  accepts: CardActionName[];
  /** Ids the action must carry, so a button on an earlier card cannot answer this one. */
  match?: { question?: string; procedure?: string; step?: string };
  /** Typed answers: keywords that stand for a button, and the seed procedure the button leads to, if known. */
  textChoices?: { label: string; keywords: string[]; action: CardAction; leadsTo?: string }[];
  /** How many of the first text choices are the card's buttons in order, for 「2番目」 and "the second one". */
  numbered?: number;
  /**
   * Words close enough to one button's title or description pick it (「キャッシュ消すほう」 for the browser fixes),
   * as a loose answer: a problem named in the same words still wins.
   */
  byLikeness?: boolean;
  /** The answer when the words report having done something (「全部閉じました」, "deleted both folders"). */
  whenReportedDone?: CardAction;
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
 * A prompt that asks with a card. A button answers it if `accepts` says so; a button from another card makes
 * it say so ("stale") and ask again; typed words (or files) are for `fromMessage`. On a retry it first says why.
 */
export abstract class CardPrompt<T> extends Prompt<T> {
  /** Whether this card action answers the prompt (from the stored spec, never a function in state). */
  protected abstract accepts(action: CardAction, options: PromptOptions): boolean;
  protected abstract fromAction(action: CardAction): T;
  /** A message without a card action: typed words, files. Undefined when it is no answer. */
  protected abstract fromMessage(context: TurnContext, options: PromptOptions): T | undefined;

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

  protected override async onRecognize(
    context: TurnContext,
    state: { lastWasStale?: boolean },
    options: PromptOptions,
  ): Promise<PromptRecognizerResult<T>> {
    const parsed = parseCardAction(context.activity.value);
    state.lastWasStale = false;
    if (parsed.kind === 'action') {
      if (this.accepts(parsed.action, options))
        return { succeeded: true, value: this.fromAction(parsed.action) };
      state.lastWasStale = true;
      return { succeeded: false };
    }
    if (parsed.kind === 'invalid') return { succeeded: false };
    const value = this.fromMessage(context, options);
    return value === undefined ? { succeeded: false } : { succeeded: true, value };
  }
}

/** Asks with a card; answers come from its buttons or as typed words. Anything else gets a retry, never silence. */
export class CardActionPrompt extends CardPrompt<CardAction> {
  constructor(dialogId: string) {
    super(dialogId);
  }

  protected accepts(action: CardAction, options: PromptOptions): boolean {
    const spec = options.validations as CardPromptSpec;
    return spec.accepts.includes(action.action) && matchesIds(action, spec.match);
  }

  protected fromAction(action: CardAction): CardAction {
    return action;
  }

  protected fromMessage(context: TurnContext, options: PromptOptions): CardAction | undefined {
    return typedAnswer(options.validations as CardPromptSpec, context.activity.text ?? '')?.action;
  }
}

/** The button that typed words stand for on this card, and the keyword that said so. */
export function typedAnswer(
  spec: Pick<CardPromptSpec, 'textChoices' | 'numbered' | 'byLikeness' | 'whenReportedDone'>,
  text: string,
): { action: CardAction; keyword: string; leadsTo?: string; loose?: boolean } | undefined {
  if (!text.trim()) return undefined;
  const choices = spec.textChoices ?? [];
  const match =
    matchKeywordsWithKeyword(text, choices, spec.numbered) ??
    (spec.byLikeness ? closestByWords(text, choices) : undefined) ??
    (spec.whenReportedDone && reportsDone(text)
      ? { choice: { action: spec.whenReportedDone, leadsTo: undefined }, keyword: text }
      : undefined);
  if (!match) return undefined;
  const { action, leadsTo } = match.choice;
  const loose = 'loose' in match;
  return { action, keyword: match.keyword, ...(leadsTo ? { leadsTo } : {}), ...(loose ? { loose } : {}) };
}

function matchesIds(action: CardAction, match: CardPromptSpec['match']): boolean {
  if (!match) return true;
  const carried = action as Partial<Record<'question' | 'procedure' | 'step', string>>;
  return (Object.keys(match) as (keyof typeof match)[]).every((key) => carried[key] === match[key]);
}
