import template from './question.json';
import { renderCard, type CardAttachment } from './renderCard';

export interface QuestionCardChoice {
  id: string;
  label: string;
  description?: string;
}

export interface QuestionCardData {
  /** Which payload the buttons send: a question answer, the fix check, or the next option. */
  action: 'diagnosis.choose' | 'diagnosis.verify' | 'diagnosis.next' | 'activation.next' | 'diagnosis.start';
  heading?: string;
  prompt: string;
  questionId?: string;
  procedureId?: string;
  choices: QuestionCardChoice[];
  help?: { title: string; text: string };
  /** "Not sure? Check my PC": opens how to run the check, for questions the check answers. */
  pcCheck?: { button: string; card: Record<string, unknown> };
  /** A "Back" button, when there is a previous question. */
  back?: { label: string; data: Record<string, string> };
}

export function renderQuestionCard(data: QuestionCardData): CardAttachment {
  return renderCard('question', template, {
    ...data,
    heading: data.heading ?? '',
    questionId: data.questionId ?? '',
    procedureId: data.procedureId ?? '',
    described: data.choices.filter((c) => c.description),
    help: data.help ?? null,
    back: data.back ?? null,
    pcCheck: data.pcCheck ?? null,
  });
}
