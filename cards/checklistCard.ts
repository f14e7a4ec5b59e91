import template from './checklist.json';
import type { CardCodeSnippet, CardLink } from './codeSnippet';
import { renderCard, type CardAttachment } from './renderCard';

export interface ChecklistCardStep {
  inputId: string;
  number: number;
  title: string;
  text: string;
  checked: boolean;
  warnings: string[];
  notes: string[];
  code: CardCodeSnippet[];
  links: CardLink[];
}

export interface ChecklistCardData {
  procedureId: string;
  procedureTitle: string;
  intro: string;
  steps: ChecklistCardStep[];
  labels: { submit: string; stepByStep: string };
}

export function renderChecklistCard(data: ChecklistCardData): CardAttachment {
  return renderCard('checklist', template, {
    ...data,
    // Input.Toggle values are the strings "true"/"false".
    steps: data.steps.map((s) => ({ ...s, checked: String(s.checked) })),
  });
}
