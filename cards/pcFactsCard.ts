import template from './pcFacts.json';
import { renderCard, type CardAttachment } from './renderCard';

export interface PcFactsCardData {
  title: string;
  facts: { title: string; value: string }[];
  /** The heading over the findings ("What this means"). */
  meaning: string;
  /** `attention` for what stops Office or could lock the user out, `emphasis` for what is worth knowing. */
  findings: { text: string; style: 'attention' | 'emphasis' | 'default' }[];
  /** Where the bot goes next; empty when the caller says it. */
  next: string;
}

export function renderPcFactsCard(data: PcFactsCardData): CardAttachment {
  return renderCard('pcFacts', template, data);
}
