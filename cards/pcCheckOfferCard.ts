import template from './pcCheckOffer.json';
import { renderCard, type CardAttachment } from './renderCard';

/** How to run the "Check my PC" script: a one-line command to paste into PowerShell, or a download. */
export interface PcCheckOfferData {
  title: string;
  /** Why the check is offered here; may be empty. */
  intro: string;
  text: string;
  /** The one-liner, copied character for character. */
  code: string;
  downloadText: string;
  download: { title: string; url: string };
  /** Exactly what the script reads. */
  reads: string;
}

export function renderPcCheckOfferCard(data: PcCheckOfferData): CardAttachment {
  return renderCard('pcCheckOffer', template, data);
}
