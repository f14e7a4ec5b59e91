import type { Attachment as ActivityAttachment, TurnContext } from 'botbuilder';
import type { PromptOptions, PromptRecognizerResult } from 'botbuilder-dialogs';
import { CardPrompt } from './cardActionPrompt';
import { parseCardAction, type CardAction, type CardActionName } from '../core/cardActions';
import type { Attachment } from '../core/tickets/ticket';
import { isOneOf } from '../core/textMatching';

/** Plain data, kept in dialog state: what this step of the escalation accepts. */
export interface EscalationPromptSpec {
  accepts: CardActionName[];
  /** Typed text is an answer (e.g. the error message typed instead of using the form). */
  acceptText: boolean;
  /** Pasted images or files are an answer (the screenshot step). */
  acceptAttachments: boolean;
  /** Typed words that stand for the step's "none" button. */
  noneWords?: string[];
  retryText: string;
  staleText: string;
}

export type EscalationAnswer =
  | { kind: 'action'; action: CardAction }
  | { kind: 'text'; text: string }
  | { kind: 'attachments'; attachments: Attachment[]; text: string };

/**
 * Files and images a user sent in Teams, as links. Teams adds an HTML copy of the message as an attachment; that
 * is not a file. Only http(s) links are kept, so a card never carries another kind of URL.
 */
export function attachmentLinks(attachments: ActivityAttachment[] | undefined): Attachment[] {
  const links: Attachment[] = [];
  for (const attachment of attachments ?? []) {
    if (attachment.contentType === 'text/html') continue;
    const content = attachment.content as { downloadUrl?: string } | undefined;
    const url = content?.downloadUrl ?? attachment.contentUrl;
    if (!url || !/^https?:\/\//i.test(url)) continue;
    links.push({ name: (attachment.name ?? '').slice(0, 200), url });
  }
  return links;
}

/** Asks with a card; answers are the card's buttons, and, where the step allows it, typed text or files. */
export class EscalationPrompt extends CardPrompt<EscalationAnswer> {
  constructor(dialogId: string) {
    super(dialogId);
  }

  protected override async onRecognize(
    context: TurnContext,
    state: { lastWasStale?: boolean },
    options: PromptOptions,
  ): Promise<PromptRecognizerResult<EscalationAnswer>> {
    const spec = options.validations as EscalationPromptSpec;
    const parsed = parseCardAction(context.activity.value);
    state.lastWasStale = false;
    if (parsed.kind === 'action') {
      if (spec.accepts.includes(parsed.action.action))
        return { succeeded: true, value: { kind: 'action', action: parsed.action } };
      state.lastWasStale = true;
      return { succeeded: false };
    }
    if (parsed.kind === 'invalid') return { succeeded: false };
    const text = context.activity.text?.trim() ?? '';
    const attachments = attachmentLinks(context.activity.attachments);
    if (spec.acceptAttachments && attachments.length > 0)
      return { succeeded: true, value: { kind: 'attachments', attachments, text } };
    if (spec.noneWords && isOneOf(text, spec.noneWords))
      return {
        succeeded: true,
        value: { kind: 'action', action: { action: 'ticket.screenshot', choice: 'none' } },
      };
    if (spec.acceptText && text) return { succeeded: true, value: { kind: 'text', text } };
    return { succeeded: false };
  }
}
