import template from './welcome.json';
import { renderCard, type CardAttachment } from './renderCard';

export interface WelcomeCardData {
  title: string;
  intro: string;
  capabilities: string[];
  hint: string;
  startLabel: string;
  /** Starts the "Office won't activate" diagnosis. */
  activationLabel: string;
  helpLabel: string;
}

export function renderWelcomeCard(data: WelcomeCardData): CardAttachment {
  return renderCard('welcome', template, data);
}
