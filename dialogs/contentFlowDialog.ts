import { MessageFactory } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from './dialogsLibrary';
import type { CardAction } from '../core/cardActions';
import { withAnswer, withAttemptStarted, withoutAnswer, type DiagnosisTrail } from '../core/diagnosis';
import { languageOf } from './turnLanguage';
import { isSpecificKeyword, matchKeywordsWithKeyword } from '../core/textMatching';
import type { Choice, Question } from '../core/content/schema';
import { CardActionPrompt, cardPromptOptions } from './cardActionPrompt';
import { DialogIds } from './dialogIds';
import type { DiagnosisViews } from '../views/diagnosisViews';
import type { HelpDeskEvents } from '../core/stats/helpDeskEvents';
import type { FlowResult } from './flowResult';
import { ProcedureDialog, type ProcedureRun } from './procedureDialog';
import { answerFromPcFacts } from '../core/pcCheck/pcFindings';

export interface ContentFlowOptions {
  trail: DiagnosisTrail;
  /** The question to ask; the flow's first question when absent. */
  questionId?: string;
  /** The user's opening words, searched for answers so they are not asked again. */
  text?: string;
  /** Questions asked before this one, for "Back". */
  history?: string[];
  /** Go straight to this procedure (a seed's exact remedy for what the user named). */
  procedureId?: string;
  /** Asked again with Back: the user wants to choose, even where their PC check answers it. */
  askAgain?: boolean;
}

/** How a content flow ended; `checkLicence` hands over to the activation diagnosis's licence check. */

/**
 * Walks a content flow: asks its questions (which Office, admin rights, which account…) until an answer leads to
 * a procedure, then runs it. Used by every flow: sign-in repair, the activation checklist, Microsoft account.
 */
export class ContentFlowDialog extends ComponentDialog {
  constructor(
    private readonly views: DiagnosisViews,
    events: HelpDeskEvents,
  ) {
    super(DialogIds.contentFlow);
    this.addDialog(new CardActionPrompt(DialogIds.cardPrompt));
    this.addDialog(new ProcedureDialog(views, events));
    this.addDialog(
      new WaterfallDialog(DialogIds.contentFlowSteps, [
        this.askQuestion.bind(this),
        this.followAnswer.bind(this),
        this.afterProcedure.bind(this),
      ]),
    );
    this.initialDialogId = DialogIds.contentFlowSteps;
  }

  private async askQuestion(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as ContentFlowOptions;
    const language = languageOf(step.context);
    const flow = this.views.flow(language);
    if (options.procedureId) return this.runProcedure(step, options.trail, options.procedureId, []);
    const question = options.questionId ? flow.question(options.questionId) : flow.startQuestion;
    const fromPc =
      options.trail.pcCheck && !options.askAgain
        ? answerFromPcFacts(question.id, options.trail.pcCheck.facts, options.trail.pcCheck.teamsAccount)
        : undefined;
    if (fromPc && 'question' in fromPc) {
      // Not an administrator: only "can you use another admin account?" is left of the question (which says why).
      return step.replaceDialog(DialogIds.contentFlowSteps, {
        ...options,
        questionId: fromPc.question,
      } satisfies ContentFlowOptions);
    }
    const known = this.knownAnswer(question, options, fromPc?.choice);
    if (known) {
      await step.context.sendActivity(
        this.views.acknowledgement(language, question, known.choice, known.from),
      );
      const answer: CardAction = {
        action: 'diagnosis.choose',
        question: question.id,
        choice: known.choice.id,
      };
      return step.next(answer);
    }
    const canGoBack = (options.history ?? []).length > 0;
    return step.prompt(
      DialogIds.cardPrompt,
      cardPromptOptions(this.views.question(question, language, canGoBack), {
        waiting: { kind: 'question', flow: flow.flowOf(question.id), question: question.id },
        accepts: canGoBack ? ['diagnosis.choose', 'diagnosis.back'] : ['diagnosis.choose'],
        match: { question: question.id },
        numbered: question.choices.length,
        textChoices: [
          ...question.choices.map((choice) => ({
            label: choice.label,
            keywords: choice.keywords,
            action: { action: 'diagnosis.choose' as const, question: question.id, choice: choice.id },
            ...('procedure' in choice.next ? { leadsTo: choice.next.procedure } : {}),
          })),
          ...(canGoBack
            ? [
                {
                  label: this.views.text(language, 'action.back'),
                  keywords: this.views.words('back'),
                  action: { action: 'diagnosis.back' as const, question: question.id },
                },
              ]
            : []),
        ],
        retryText: this.views.text(language, 'prompt.retry'),
        staleText: this.views.text(language, 'prompt.stale'),
      }),
    );
  }

  private async followAnswer(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as ContentFlowOptions;
    if ((step.result as CardAction).action === 'diagnosis.back')
      return this.goBack(step, options, options.trail);
    const answer = step.result as Extract<CardAction, { action: 'diagnosis.choose' }>;
    const flow = this.views.flow(languageOf(step.context));
    const choice = flow.question(answer.question).choices.find((c) => c.id === answer.choice);
    if (!choice) {
      // The prompt only accepts this question's buttons, so this means the content changed under a live card.
      await step.context.sendActivity(
        MessageFactory.text(this.views.text(languageOf(step.context), 'card.unknownAction')),
      );
      return step.replaceDialog(DialogIds.contentFlowSteps, options);
    }
    const trail = withAnswer(options.trail, answer.question, answer.choice);
    const history = [...(options.history ?? []), answer.question];
    if ('question' in choice.next) {
      const next: ContentFlowOptions = { ...options, trail, questionId: choice.next.question, history };
      return step.replaceDialog(DialogIds.contentFlowSteps, next);
    }
    if ('check' in choice.next) return step.endDialog({ kind: 'checkLicence', trail } satisfies FlowResult);
    return this.runProcedure(step, trail, choice.next.procedure, history);
  }

  private runProcedure(
    step: WaterfallStepContext,
    trail: DiagnosisTrail,
    procedureId: string,
    history: string[],
  ): Promise<DialogTurnResult> {
    const run: ProcedureRun = {
      trail: withAttemptStarted(trail, procedureId),
      procedureId,
      stepIndex: 0,
      canLeaveBackwards: history.length > 0,
    };
    (step.values as { history?: string[] }).history = history;
    return step.beginDialog(DialogIds.procedure, run);
  }

  /**
   * An answer the user already gave: in their own words at the start, or earlier in this conversation, before
   * switching to another problem; or one their pasted PC check gives. Later questions take only a specific word from the opening ("loop", 「個人用」),
   * so "no idea why" never answers a yes/no question.
   */
  private knownAnswer(
    question: Question,
    options: ContentFlowOptions,
    fromPc?: string,
  ): { choice: Choice; from: 'words' | 'earlier' | 'pcCheck' } | undefined {
    const earlier = options.trail.answers.find((a) => a.question === question.id);
    const earlierChoice = earlier && question.choices.find((c) => c.id === earlier.choice);
    if (earlierChoice) return { choice: earlierChoice, from: 'earlier' };
    // The PC says so: it beats the user's words, which may have guessed ("365" for Office 2019, say).
    const pcChoice = fromPc && question.choices.find((c) => c.id === fromPc);
    if (pcChoice) return { choice: pcChoice, from: 'pcCheck' };
    const isFirstQuestion = (options.history ?? []).length === 0;
    const given = options.text ? matchKeywordsWithKeyword(options.text, question.choices) : undefined;
    if (!given || (!isFirstQuestion && !isSpecificKeyword(given.keyword))) return undefined;
    return { choice: given.choice, from: 'words' };
  }

  /** Back to the previous question, forgetting its answer; details from the opening words are not re-applied. */
  private async goBack(
    step: WaterfallStepContext,
    options: ContentFlowOptions,
    trail: DiagnosisTrail,
  ): Promise<DialogTurnResult> {
    const history = [...(options.history ?? [])];
    const previous = history.pop();
    if (!previous)
      return step.replaceDialog(DialogIds.contentFlowSteps, { ...options, trail, text: undefined });
    const back: ContentFlowOptions = {
      trail: withoutAnswer(trail, previous),
      questionId: previous,
      history,
      askAgain: true,
    };
    return step.replaceDialog(DialogIds.contentFlowSteps, back);
  }

  /** A procedure may hand over to another question, e.g. activation checks to the per-version reset. */
  private async afterProcedure(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as FlowResult | undefined;
    const history = (step.values as { history?: string[] }).history ?? [];
    const trail = result?.trail ?? (step.options as ContentFlowOptions).trail;
    switch (result?.kind) {
      case 'back':
        return this.goBack(step, { ...(step.options as ContentFlowOptions), history }, trail);
      case 'continueWith':
        return step.replaceDialog(DialogIds.contentFlowSteps, {
          trail,
          questionId: result.question,
        } satisfies ContentFlowOptions);
      case 'escalate':
        return step.endDialog({ kind: 'escalate', trail } satisfies FlowResult);
      default:
        return step.endDialog({ kind: 'finished', trail } satisfies FlowResult);
    }
  }
}
