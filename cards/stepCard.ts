import template from './step.json';
import type { CardCodeSnippet, CardLink } from './codeSnippet';
import { renderCard, type CardAttachment } from './renderCard';

export interface StepCardData {
  procedureId: string;
  procedureTitle: string;
  /** Shown on the first step only. */
  intro: string;
  stepId: string;
  progress: string;
  title: string;
  text: string;
  warnings: string[];
  notes: string[];
  code: CardCodeSnippet[];
  links: CardLink[];
  /** `back` is empty when there is nothing to go back to. */
  labels: { done: string; notHelped: string; checklist: string; back: string; person: string };
}

export function renderStepCard(data: StepCardData): CardAttachment {
  return renderCard('step', template, data);
}
