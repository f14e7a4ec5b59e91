import template from './notice.json';
import type { CardLink } from './codeSnippet';
import { renderCard, type CardAttachment } from './renderCard';

export interface NoticeCardData {
  title?: string;
  /** Trusted text written by us (Teams renders its markdown). */
  text: string;
  /** Text that came from a user: shown literally in a TextRun, which Teams never parses as markdown. */
  quote?: { label: string; text: string };
  facts?: { title: string; value: string }[];
  links?: CardLink[];
  commands?: { name: 'help' | 'cancel' | 'restart'; label: string }[];
  /** Buttons that start a flow ("menu", or the problem the user named). */
  starts?: { flow: string; label: string }[];
  /** A button back to the diagnosis that was set aside. */
  resume?: { label: string };
}

export function renderNoticeCard(data: NoticeCardData): CardAttachment {
  return renderCard('notice', template, {
    title: data.title ?? '',
    text: data.text,
    quote: data.quote?.text ?? '',
    quoteLabel: data.quote?.label ?? '',
    facts: data.facts ?? [],
    links: data.links ?? [],
    commands: data.commands ?? [],
    starts: data.starts ?? [],
    resume: data.resume ? [data.resume] : [],
  });
}
