import template from './ticket.json';
import type { CardLink } from './codeSnippet';
import { renderCard, type CardAttachment } from './renderCard';

export interface TicketCardAction {
  title: string;
  data: Record<string, unknown>;
  style?: 'positive' | 'destructive' | 'default';
}

export interface TicketCardExecuteAction extends TicketCardAction {
  verb: string;
}

export interface TicketCardData {
  heading?: string;
  title: string;
  /** Trusted text written by us (Teams renders its markdown). */
  text?: string;
  /** A warning the reader must not miss, e.g. "the user could not be reached". */
  attention?: string;
  facts?: { title: string; value: string }[];
  /** Text that came from people, shown literally (RichTextBlock never parses markdown). */
  literals?: { label: string; text: string }[];
  links?: CardLink[];
  inputs?: {
    id: string;
    label: string;
    placeholder?: string;
    value?: string;
    multiline?: boolean;
    maxLength?: number;
  }[];
  rating?: { label: string; choices: { title: string; value: string }[] };
  /** Which ticket the buttons act on (input id "ticket"), when the card lists several. */
  picker?: { label: string; value: string; choices: { title: string; value: string }[] };
  /** Universal Actions: the card in the support channel, updated in place for everyone. */
  executeActions?: TicketCardExecuteAction[];
  replyBox?: {
    title: string;
    label: string;
    placeholder: string;
    send: string;
    verb: string;
    data: Record<string, unknown>;
  };
  /** Plain submits, for the user's personal chat (answered by the dialogs). */
  submitActions?: TicketCardAction[];
  /** "Check my PC" for the escalation form: a pasted result goes with the request. */
  pcCheck?: { button: string; card: Record<string, unknown> };
}

export function renderTicketCard(data: TicketCardData): CardAttachment {
  return renderCard('ticket', template, {
    heading: data.heading ?? '',
    title: data.title,
    text: data.text ?? '',
    attention: data.attention ?? '',
    facts: data.facts ?? [],
    literals: (data.literals ?? []).filter((l) => l.text.trim() !== ''),
    links: data.links ?? [],
    inputs: (data.inputs ?? []).map((i) => ({
      placeholder: '',
      value: '',
      multiline: false,
      maxLength: 500,
      ...i,
    })),
    rating: data.rating ?? null,
    picker: data.picker ?? null,
    // The verb travels in the data too, for the Action.Submit fallback of clients without Universal Actions.
    executeActions: (data.executeActions ?? []).map((a) => ({
      style: 'default',
      ...a,
      data: { ...a.data, verb: a.verb },
    })),
    replyBox: data.replyBox
      ? { ...data.replyBox, data: { ...data.replyBox.data, verb: data.replyBox.verb } }
      : null,
    submitActions: (data.submitActions ?? []).map((a) => ({ style: 'default', ...a })),
    pcCheck: data.pcCheck ?? null,
  });
}
