import { MessageFactory } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from './dialogsLibrary';
import type { CardAction } from '../core/cardActions';
import {
  fallbacksFor,
  withAttemptStarted,
  withStepOutcome,
  withVerification,
  type DiagnosisTrail,
} from '../core/diagnosis';
import type { Language } from '../core/language';
import type { FlowName } from '../core/content/catalog';
import type { HelpDeskEvents } from '../core/stats/helpDeskEvents';
import { languageOf } from './turnLanguage';
import { CardActionPrompt, cardPromptOptions, type CardPromptSpec } from './cardActionPrompt';
import { DialogIds } from './dialogIds';
import type { FlowResult } from './flowResult';
import { checklistInputId, type DiagnosisViews } from '../views/diagnosisViews';

/** Where the user is in a procedure. Plain data: it is the dialog state that survives a restart. */
export interface ProcedureRun {
  trail: DiagnosisTrail;
  procedureId: string;
  stepIndex: number;
  /** Set when asking "does it work now?" at a checkpoint step rather than at the end. */
  checkpoint?: boolean;
  /** "Back" on the first step returns to the question that chose this procedure. */
  canLeaveBackwards?: boolean;
}

/** How a procedure ended: the trail, and possibly a question to go on with (another flow's entry point). */

/** The "next option" that follows a procedure's continueWith question. */
const CONTINUE = 'continue';

type ActionOf<N extends CardAction['action']> = Extract<CardAction, { action: N }>;

/**
 * Walks one procedure: a card per step (or one checklist), then "does it work now?", then the next option.
 * Each stage is a small waterfall; moving between them is a replaceDialog with the run as options.
 */
export class ProcedureDialog extends ComponentDialog {
  constructor(
    private readonly views: DiagnosisViews,
    private readonly events: HelpDeskEvents,
  ) {
    super(DialogIds.procedure);
    this.addDialog(new CardActionPrompt(DialogIds.cardPrompt));
    this.addDialog(
      new WaterfallDialog(DialogIds.procedureStep, [this.showStep.bind(this), this.afterStep.bind(this)]),
    );
    this.addDialog(
      new WaterfallDialog(DialogIds.procedureChecklist, [
        this.showChecklist.bind(this),
        this.afterChecklist.bind(this),
      ]),
    );
    this.addDialog(
      new WaterfallDialog(DialogIds.procedureVerify, [
        this.askIfFixed.bind(this),
        this.afterVerify.bind(this),
      ]),
    );
    this.addDialog(
      new WaterfallDialog(DialogIds.procedureRemedy, [
        this.offerRemedy.bind(this),
        this.afterRemedy.bind(this),
      ]),
    );
    this.addDialog(
      new WaterfallDialog(DialogIds.procedureNext, [
        this.offerNextOption.bind(this),
        this.afterNextOption.bind(this),
      ]),
    );
    this.initialDialogId = DialogIds.procedureStep;
  }

  private language(step: WaterfallStepContext): Language {
    return languageOf(step.context);
  }

  private flowOf(language: Language, run: ProcedureRun): FlowName | undefined {
    return this.views.flow(language).flowOf(run.procedureId);
  }

  private promptTexts(language: Language): Pick<CardPromptSpec, 'retryText' | 'staleText'> {
    return {
      retryText: this.views.text(language, 'prompt.retry'),
      staleText: this.views.text(language, 'prompt.stale'),
    };
  }

  // --- one step at a time ---

  private async showStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    const language = this.language(step);
    const stepId = this.views.flow(language).procedure(run.procedureId).steps[run.stepIndex];
    const canGoBack = run.stepIndex > 0 || !!run.canLeaveBackwards;
    return step.prompt(
      DialogIds.cardPrompt,
      cardPromptOptions(
        this.views.step(language, run.procedureId, run.stepIndex, canGoBack, run.trail.pcCheck?.facts),
        {
          waiting: {
            kind: 'step',
            flow: this.flowOf(language, run),
            procedure: run.procedureId,
            step: stepId,
          },
          accepts: canGoBack ? ['diagnosis.step', 'diagnosis.back'] : ['diagnosis.step'],
          match: { procedure: run.procedureId, step: stepId },
          whenReportedDone: {
            action: 'diagnosis.step',
            procedure: run.procedureId,
            step: stepId,
            outcome: 'done',
          },
          textChoices: [
            ...(canGoBack
              ? [
                  {
                    label: this.views.text(language, 'action.back'),
                    keywords: this.views.words('back'),
                    action: { action: 'diagnosis.back' as const, procedure: run.procedureId, step: stepId },
                  },
                ]
              : []),
            {
              label: this.views.text(language, 'step.done'),
              keywords: this.views.words('done'),
              action: { action: 'diagnosis.step', procedure: run.procedureId, step: stepId, outcome: 'done' },
            },
            {
              label: this.views.text(language, 'step.notHelped'),
              keywords: this.views.words('notHelped'),
              action: {
                action: 'diagnosis.step',
                procedure: run.procedureId,
                step: stepId,
                outcome: 'notHelped',
              },
            },
            {
              label: this.views.text(language, 'step.checklist'),
              keywords: this.views.words('checklist'),
              action: {
                action: 'diagnosis.step',
                procedure: run.procedureId,
                step: stepId,
                outcome: 'checklist',
              },
            },
          ],
          ...this.promptTexts(language),
        },
      ),
    );
  }

  private async afterStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    if ((step.result as CardAction).action === 'diagnosis.back') {
      if (run.stepIndex > 0)
        return step.replaceDialog(DialogIds.procedureStep, {
          ...run,
          stepIndex: run.stepIndex - 1,
        } satisfies ProcedureRun);
      return step.endDialog({ kind: 'back', trail: run.trail } satisfies FlowResult);
    }
    const answer = step.result as ActionOf<'diagnosis.step'>;
    const language = this.language(step);
    if (answer.outcome === 'checklist') return step.replaceDialog(DialogIds.procedureChecklist, run);

    const trail = withStepOutcome(run.trail, answer.step, answer.outcome);
    if (answer.outcome === 'notHelped')
      this.events.record({ kind: 'stepNotHelped', procedure: run.procedureId, step: answer.step });
    // The seed names what to do when exactly this step fails: offer it now, not after the whole procedure.
    const remedy = this.views.flow(language).step(answer.step).whenNotHelped?.procedure;
    if (answer.outcome === 'notHelped' && remedy && !run.trail.attempts.some((a) => a.procedure === remedy))
      return step.replaceDialog(DialogIds.procedureRemedy, { ...run, trail } satisfies ProcedureRun);
    if (answer.outcome === 'notHelped')
      await step.context.sendActivity(this.views.text(language, 'step.notHelpedAck'));
    return this.afterStepOf(step, { ...run, trail });
  }

  /** Past the current step: "does it work now?" at the last step or a checkpoint, otherwise the next step. */
  private afterStepOf(step: WaterfallStepContext, run: ProcedureRun): Promise<DialogTurnResult> {
    const flow = this.views.flow(this.language(step));
    const steps = flow.procedure(run.procedureId).steps;
    const isLast = run.stepIndex >= steps.length - 1;
    if (isLast || flow.step(steps[run.stepIndex]).checkpoint)
      return step.replaceDialog(DialogIds.procedureVerify, {
        ...run,
        checkpoint: !isLast,
      } satisfies ProcedureRun);
    return step.replaceDialog(DialogIds.procedureStep, {
      ...run,
      stepIndex: run.stepIndex + 1,
    } satisfies ProcedureRun);
  }

  // --- the seed's remedy for a failed step ---

  private async offerRemedy(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    const language = this.language(step);
    const flow = this.views.flow(language);
    const stepId = flow.procedure(run.procedureId).steps[run.stepIndex];
    const remedyId = flow.step(stepId).whenNotHelped!.procedure;
    const choose = (choice: string): CardAction => ({
      action: 'diagnosis.next',
      procedure: run.procedureId,
      choice,
    });
    const remedy = flow.procedure(remedyId);
    return step.prompt(
      DialogIds.cardPrompt,
      cardPromptOptions(this.views.remedy(language, run.procedureId, stepId, remedyId), {
        waiting: {
          kind: 'remedy',
          flow: this.flowOf(language, run),
          procedure: run.procedureId,
          step: stepId,
        },
        accepts: ['diagnosis.next'],
        match: { procedure: run.procedureId },
        textChoices: [
          {
            label: remedy.buttonLabel ?? remedy.title,
            keywords: ['wpjcleanup', 'wpj'],
            action: choose(remedyId),
          },
          {
            label: this.views.text(language, 'remedy.skip'),
            keywords: [...this.views.words('done'), ...this.views.words('no')],
            action: choose('skip'),
          },
        ],
        ...this.promptTexts(language),
      }),
    );
  }

  private async afterRemedy(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    const answer = step.result as ActionOf<'diagnosis.next'>;
    const flow = this.views.flow(this.language(step));
    const remedy = flow.step(flow.procedure(run.procedureId).steps[run.stepIndex]).whenNotHelped?.procedure;
    // "Go on" (or a payload naming anything but this step's remedy): the failed step stays recorded as
    // didn't-help, and the procedure goes on as after any step.
    if (answer.choice !== remedy) return this.afterStepOf(step, run);
    // The remedy runs as its own attempt; the reset's remaining fallbacks stay on offer if it fails too.
    return step.replaceDialog(DialogIds.procedureStep, {
      trail: withAttemptStarted(run.trail, answer.choice),
      procedureId: answer.choice,
      stepIndex: 0,
    } satisfies ProcedureRun);
  }

  // --- all steps as one checklist ---

  private async showChecklist(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    const language = this.language(step);
    return step.prompt(
      DialogIds.cardPrompt,
      cardPromptOptions(this.views.checklist(language, run.procedureId, run.trail), {
        waiting: { kind: 'checklist', flow: this.flowOf(language, run), procedure: run.procedureId },
        accepts: ['diagnosis.checklist'],
        match: { procedure: run.procedureId },
        textChoices: [
          {
            label: this.views.text(language, 'checklist.submit'),
            keywords: this.views.words('allDone'),
            action: { action: 'diagnosis.checklist', procedure: run.procedureId, view: 'submit' },
          },
        ],
        ...this.promptTexts(language),
      }),
    );
  }

  private async afterChecklist(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    const answer = step.result as ActionOf<'diagnosis.checklist'>;
    if (answer.view === 'stepByStep') return step.replaceDialog(DialogIds.procedureStep, run);

    const language = this.language(step);
    const flow = this.views.flow(language);
    const procedure = flow.procedure(run.procedureId);
    // Toggle inputs arrive merged into the submit value as "true"/"false" strings; typed "done" has none.
    const ticked = (step.context.activity.value ?? {}) as Record<string, unknown>;
    const typed = step.context.activity.value === undefined;
    let trail = run.trail;
    const unchecked: string[] = [];
    for (const stepId of procedure.steps) {
      const earlier = trail.attempts.at(-1)?.steps.find((s) => s.step === stepId)?.outcome;
      if (typed || ticked[checklistInputId(stepId)] === 'true') {
        if (earlier !== 'notHelped') trail = withStepOutcome(trail, stepId, 'done');
      } else {
        trail = withStepOutcome(trail, stepId, 'unchecked');
        unchecked.push(flow.step(stepId).title);
      }
    }
    if (unchecked.length > 0) {
      await step.context.sendActivity(
        this.views.text(language, 'checklist.unchecked', { steps: this.views.list(language, unchecked) }),
      );
    }
    return step.replaceDialog(DialogIds.procedureVerify, {
      ...run,
      trail,
      stepIndex: procedure.steps.length - 1,
      checkpoint: false,
    } satisfies ProcedureRun);
  }

  // --- "does it work now?" ---

  private async askIfFixed(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    const language = this.language(step);
    const answer = (value: 'yes' | 'no'): CardAction => ({
      action: 'diagnosis.verify',
      procedure: run.procedureId,
      answer: value,
    });
    return step.prompt(
      DialogIds.cardPrompt,
      cardPromptOptions(this.views.verify(language, run.procedureId, run.checkpoint ?? false), {
        waiting: { kind: 'verify', flow: this.flowOf(language, run), procedure: run.procedureId },
        accepts: ['diagnosis.verify'],
        match: { procedure: run.procedureId },
        textChoices: [
          {
            label: this.views.text(language, 'verify.yes'),
            keywords: this.views.words('yes'),
            action: answer('yes'),
          },
          {
            label: this.views.text(language, 'verify.no'),
            keywords: this.views.words('no'),
            action: answer('no'),
          },
        ],
        ...this.promptTexts(language),
      }),
    );
  }

  private async afterVerify(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    const answer = step.result as ActionOf<'diagnosis.verify'>;
    const language = this.language(step);
    const fixed = answer.answer === 'yes';
    const trail = withVerification(run.trail, fixed);
    const lastDone = run.trail.attempts
      .at(-1)
      ?.steps.filter((s) => s.outcome === 'done')
      .at(-1)?.step;
    this.events.record({ kind: 'procedureVerified', procedure: run.procedureId, step: lastDone, fixed });
    if (fixed) {
      await step.context.sendActivity(MessageFactory.attachment(this.views.fixed(language)));
      return step.endDialog({ kind: 'finished', trail } satisfies FlowResult);
    }
    if (run.checkpoint) {
      return step.replaceDialog(DialogIds.procedureStep, {
        ...run,
        trail,
        checkpoint: false,
        stepIndex: run.stepIndex + 1,
      } satisfies ProcedureRun);
    }
    return step.replaceDialog(DialogIds.procedureNext, { ...run, trail } satisfies ProcedureRun);
  }

  // --- what next: another procedure, or a person ---

  private fallbacks(language: Language, trail: DiagnosisTrail): string[] {
    const flow = this.views.flow(language);
    return fallbacksFor(trail, (id) => flow.procedure(id).fallbacks);
  }

  private async offerNextOption(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    const language = this.language(step);
    const flow = this.views.flow(language);
    const fallbacks = this.fallbacks(language, run.trail);
    const choose = (choice: string): CardAction => ({
      action: 'diagnosis.next',
      procedure: run.procedureId,
      choice,
    });
    const continueWith = flow.procedure(run.procedureId).continueWith;
    return step.prompt(
      DialogIds.cardPrompt,
      cardPromptOptions(this.views.nextOptions(language, run.procedureId, fallbacks, continueWith?.label), {
        waiting: { kind: 'next', flow: this.flowOf(language, run), procedure: run.procedureId },
        accepts: ['diagnosis.next'],
        match: { procedure: run.procedureId },
        numbered: fallbacks.length + (continueWith ? 2 : 1),
        byLikeness: true,
        textChoices: [
          ...(continueWith ? [{ label: continueWith.label, keywords: [], action: choose(CONTINUE) }] : []),
          ...fallbacks.map((id) => ({
            label: flow.procedure(id).title,
            keywords: [flow.procedure(id).buttonLabel ?? flow.procedure(id).title],
            action: choose(id),
            leadsTo: id,
          })),
          {
            label: this.views.text(language, 'next.person'),
            keywords: this.views.words('person'),
            action: choose('person'),
          },
        ],
        ...this.promptTexts(language),
      }),
    );
  }

  private async afterNextOption(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const run = step.options as ProcedureRun;
    const answer = step.result as ActionOf<'diagnosis.next'>;
    const language = this.language(step);
    const continueWith = this.views.flow(language).procedure(run.procedureId).continueWith;
    if (answer.choice === CONTINUE && continueWith) {
      return step.endDialog({
        kind: 'continueWith',
        trail: run.trail,
        question: continueWith.question,
      } satisfies FlowResult);
    }
    if (answer.choice === 'person' || !this.fallbacks(language, run.trail).includes(answer.choice)) {
      return step.endDialog({ kind: 'escalate', trail: run.trail } satisfies FlowResult);
    }
    return step.replaceDialog(DialogIds.procedureStep, {
      trail: withAttemptStarted(run.trail, answer.choice),
      procedureId: answer.choice,
      stepIndex: 0,
    } satisfies ProcedureRun);
  }
}
