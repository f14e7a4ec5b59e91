import type { DialogInstance } from './dialogsLibrary';
import type { WaitingCard } from '../core/conversation/typedText';
import { isOneOf } from '../core/textMatching';
import { typedAnswer, type CardPromptSpec } from './cardActionPrompt';
import { DialogIds } from './dialogIds';
import { innermostInstance } from './dialogStack';
import type { EscalationPromptSpec } from './escalationPrompt';

/** The card a running dialog waits on, as the router needs it: what it is, and whether typed words answer it. */
export interface WaitingPrompt {
  waiting: WaitingCard;
  /** The card's own choice that the text gives, when it answers the card: the keyword that said so, and the
   * procedure the choice leads to. */
  typedAnswer(text: string): { keyword: string; leadsTo?: string; loose?: boolean } | undefined;
  /** Any typed text answers it (the escalation form's error message). */
  acceptsAnyText: boolean;
}

/** Reads the waiting prompt from dialog state: its spec is plain data there, so no dialog has to run. */
export function waitingPromptOf(stack: readonly DialogInstance[]): WaitingPrompt | undefined {
  const instance = innermostInstance(stack);
  const options = (instance?.state as { options?: { validations?: unknown } } | undefined)?.options;
  if (instance?.id === DialogIds.cardPrompt) {
    const spec = options?.validations as CardPromptSpec | undefined;
    if (!spec?.waiting) return undefined;
    return {
      waiting: spec.waiting,
      typedAnswer: (text) => typedAnswer(spec, text),
      acceptsAnyText: false,
    };
  }
  if (instance?.id === DialogIds.escalationPrompt) {
    const spec = options?.validations as EscalationPromptSpec | undefined;
    if (!spec?.waiting) return undefined;
    return {
      waiting: spec.waiting,
      typedAnswer: (text) =>
        spec.noneWords && isOneOf(text, spec.noneWords) ? { keyword: text } : typedAnswer(spec, text),
      acceptsAnyText: spec.acceptText,
    };
  }
  return undefined;
}
