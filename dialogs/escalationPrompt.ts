import type { Attachment as ActivityAttachment, TurnContext } from 'botbuilder';
import type { PromptOptions } from './dialogsLibrary';
import { CardPrompt, typedAnswer, type CardPromptSpec } from './cardActionPrompt';
import type { CardAction, CardActionName } from '../core/cardActions';
import type { Attachment } from '../core/tickets/ticket';
import { isOneOf } from '../core/textMatching';
import type { WaitingCard } from '../core/conversation/typedText';

/** Plain data, kept in dialog state: what this step of the escalation accepts. */
export interface EscalationPromptSpec {
  /** What the card is, for reading typed text against it. */
  waiting: WaitingCard;
  accepts: CardActionName[];
  /** Typed text is an answer (e.g. the error message typed instead of using the form). */
  acceptText: boolean;
  /** Pasted images or files are an answer (the screenshot step). */
  acceptAttachments: boolean;
  /** Typed words that stand for the step's "none" button. */
  noneWords?: string[];
  /** Typed words that stand for the card's buttons (Send / Edit on the summary). */
  textChoices?: CardPromptSpec['textChoices'];
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

  protected accepts(action: CardAction, options: PromptOptions): boolean {
    return (options.validations as EscalationPromptSpec).accepts.includes(action.action);
  }

  protected fromAction(action: CardAction): EscalationAnswer {
    return { kind: 'action', action };
  }

  protected fromMessage(context: TurnContext, options: PromptOptions): EscalationAnswer | undefined {
    const spec = options.validations as EscalationPromptSpec;
    const text = context.activity.text?.trim() ?? '';
    const attachments = attachmentLinks(context.activity.attachments);
    if (spec.acceptAttachments && attachments.length > 0) return { kind: 'attachments', attachments, text };
    if (spec.noneWords && isOneOf(text, spec.noneWords))
      return { kind: 'action', action: { action: 'ticket.screenshot', choice: 'none' } };
    const typed = spec.textChoices ? typedAnswer(spec, text) : undefined;
    if (typed) return { kind: 'action', action: typed.action };
    if (spec.acceptText && text) return { kind: 'text', text };
    return undefined;
  }
}
