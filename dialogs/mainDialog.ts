import { MessageFactory } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from './dialogsLibrary';
import type { CardAction, FlowChoice } from '../core/cardActions';
import { emptyTrail, type DiagnosisTrail } from '../core/diagnosis';
import type { Intent } from '../core/intent/recognizer';
import { understand } from '../core/intent/understand';
import type { Understanding } from '../core/intent/intentModel';
import { namedProblem } from '../core/conversation/typedText';
import type { LicenceChecker } from '../core/licensing/licenceChecker';
import type { OfficeInstallLimit } from '../core/licensing/officeInstallLimit';
import { ActivationDialog, type ActivationOptions } from './activationDialog';
import { CardActionPrompt, cardPromptOptions } from './cardActionPrompt';
import { DialogIds } from './dialogIds';
import { EscalationDialog, type EscalationOptions, type TicketIntake } from './escalationDialog';
import type { TicketViews } from '../views/ticketViews';
import type { DiagnosisViews } from '../views/diagnosisViews';
import type { LicenceViews } from '../views/licenceViews';
import { ContentFlowDialog, type ContentFlowOptions } from './contentFlowDialog';
import type { HelpDeskEvents } from '../core/stats/helpDeskEvents';
import type { FlowResult } from './flowResult';
import { languageOf } from './turnLanguage';
import { PcCheckDialog, type PcCheckOptions } from './pcCheckDialog';
import type { PcFacts } from '../core/pcCheck/pcCheck';

export interface MainDialogOptions {
  /** What the user typed to start, if anything: details in it are not asked again. */
  text?: string;
  /** A flow chosen with a button. */
  flow?: FlowChoice;
  /** Carried over when one flow hands over to another. */
  trail?: DiagnosisTrail;
  /** Start at this content question instead of the flow's first one. */
  questionId?: string;
  /** Go straight to this procedure: a seed's exact remedy for what the user named. */
  procedureId?: string;
  /** The error codes in `text` were already explained (the switch from another card did it). */
  codesExplained?: boolean;
  /** A pasted "Check my PC" result: its facts answer the questions, and the flow the user was in goes on. */
  pcCheck?: { facts: PcFacts; wasIn?: 'activation' | 'signin-repair' };
}

/** What the first step decided: a flow, and maybe the exact procedure or question (and a trail with PC facts). */
interface Route {
  flow: FlowChoice;
  procedureId?: string;
  questionId?: string;
  trail?: DiagnosisTrail;
}

const FLOW_OF_INTENT: Record<Intent, FlowChoice> = {
  signin: 'signin-repair',
  activation: 'activation',
  account: 'account',
  human: 'person',
  menu: 'menu',
};

/**
 * Entry point of a diagnosis. Free text goes through the recogniser: a clear intent starts its flow, two close
 * ones get one short question with buttons, nothing gets the menu. Error codes in the text are explained first.
 */
export class MainDialog extends ComponentDialog {
  constructor(
    private readonly views: DiagnosisViews,
    licenceViews: LicenceViews,
    checker: LicenceChecker,
    private readonly understanding: Understanding,
    ticketViews: TicketViews,
    intake: TicketIntake,
    /** Counts diagnoses, flows, fixes and licence findings for the dashboard. */
    private readonly events: HelpDeskEvents,
    installLimit?: Pick<OfficeInstallLimit, 'check'>,
  ) {
    super(DialogIds.main);
    this.addDialog(new EscalationDialog(views, ticketViews, intake));
    this.addDialog(new CardActionPrompt(DialogIds.cardPrompt));
    this.addDialog(new ContentFlowDialog(views, events));
    this.addDialog(new ActivationDialog(views, licenceViews, checker, events, installLimit));
    this.addDialog(new PcCheckDialog(views, licenceViews, checker, events, installLimit));
    this.addDialog(
      new WaterfallDialog(DialogIds.mainFlow, [
        this.understand.bind(this),
        this.route.bind(this),
        this.afterFlow.bind(this),
      ]),
    );
    this.initialDialogId = DialogIds.mainFlow;
  }

  private async understand(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { text, flow, questionId, procedureId, codesExplained, pcCheck, trail } = (step.options ??
      {}) as MainDialogOptions;
    const language = languageOf(step.context);
    if (pcCheck)
      return step.beginDialog(DialogIds.pcCheck, {
        facts: pcCheck.facts,
        wasIn: pcCheck.wasIn,
        trail: trail ?? emptyTrail(),
      } satisfies PcCheckOptions);
    if (procedureId)
      return step.next({
        flow: this.views.flow(language).flowOf(procedureId) ?? 'signin-repair',
        procedureId,
      } satisfies Route);
    if (flow && flow !== 'menu') return step.next({ flow } satisfies Route);
    // A hand-over to a content question, or a start button with no text: the sign-in repair, as before.
    if (questionId || (!text?.trim() && flow !== 'menu')) return step.next({ flow: 'signin-repair' });

    const { recognizer, errorCodes, shortcuts } = this.understanding;
    const result = text ? understand(text, recognizer, errorCodes) : undefined;
    if (!codesExplained)
      for (const entry of result?.details.errorCodes.slice(0, 2) ?? [])
        await step.context.sendActivity(MessageFactory.attachment(this.views.errorCode(language, entry)));
    const problem =
      text && result
        ? namedProblem({
            text,
            shortcut: shortcuts.find(text),
            errorCodes: result.details.errorCodes,
            decision: result.decision,
            accountType: result.details.accountType,
          })
        : undefined;
    if (problem) return step.next({ flow: problem.flow, procedureId: problem.procedure } satisfies Route);
    const decision = result?.decision ?? { kind: 'menu' as const };
    // A personal Microsoft account (outlook.com, hotmail, live) belongs to the account flow, whatever the app:
    // it settles a sign-in-or-account question too.
    const signinOrAccount = (intent: Intent) => intent === 'signin' || intent === 'account';
    if (
      result?.details.accountType === 'personal' &&
      decision.kind === 'clarify' &&
      decision.intents.every(signinOrAccount)
    )
      return step.next({ flow: 'account' } satisfies Route);
    if (decision.kind === 'route' && decision.intent !== 'menu')
      return step.next({ flow: FLOW_OF_INTENT[decision.intent] } satisfies Route);

    const choices: FlowChoice[] =
      decision.kind === 'clarify'
        ? [...decision.intents.map((i) => FLOW_OF_INTENT[i]).filter((f) => f !== 'menu'), 'menu']
        : ['signin-repair', 'activation', 'account', 'person'];
    const start = (choice: FlowChoice): CardAction => ({ action: 'diagnosis.start', flow: choice });
    return step.prompt(
      DialogIds.cardPrompt,
      cardPromptOptions(
        this.views.flowChoice(language, decision.kind === 'clarify' ? 'clarify' : 'menu', choices),
        {
          waiting: { kind: 'flowChoice' },
          accepts: ['diagnosis.start'],
          numbered: choices.length,
          textChoices: choices.map((choice) => ({
            label: this.views.text(language, `menu.${choice}`),
            keywords: [],
            action: start(choice),
          })),
          retryText: this.views.text(language, 'prompt.retry'),
          staleText: this.views.text(language, 'prompt.stale'),
        },
      ),
    );
  }

  private async route(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = (step.options ?? {}) as MainDialogOptions;
    // The first step hands over a Route, or the menu's prompt a clicked start button.
    const result = step.result as Route | Extract<CardAction, { action: 'diagnosis.start' }> | undefined;
    const routed: Route | undefined =
      result && 'action' in result ? { flow: result.flow ?? 'signin-repair' } : result;
    const chosen = routed?.flow ?? 'signin-repair';
    const procedureId = routed?.procedureId;
    const questionId = routed?.questionId ?? options.questionId;
    const description = options.text?.trim() || undefined;
    const trail = routed?.trail ?? options.trail ?? emptyTrail(description);
    const language = languageOf(step.context);
    // A trail handed over from another flow belongs to a diagnosis already counted.
    if (!options.trail) this.events.record({ kind: 'diagnosisStarted' });
    if (chosen !== 'menu') this.events.record({ kind: 'flowUsed', flow: chosen });
    switch (chosen) {
      case 'menu':
        return step.replaceDialog(DialogIds.mainFlow, { trail, flow: 'menu' } satisfies MainDialogOptions);
      case 'person':
        return step.beginDialog(DialogIds.escalation, { trail } satisfies EscalationOptions);
      case 'activation':
        // A named activation remedy is a client-side procedure; otherwise the licence check comes first.
        if (procedureId || questionId)
          return step.beginDialog(DialogIds.contentFlow, {
            trail,
            procedureId,
            questionId,
          } satisfies ContentFlowOptions);
        return step.beginDialog(DialogIds.activation, { trail } satisfies ActivationOptions);
      case 'account':
        return step.beginDialog(DialogIds.contentFlow, {
          trail,
          text: description,
          questionId: questionId ?? this.views.flow(language).startOf('account').id,
          procedureId,
        } satisfies ContentFlowOptions);
      case 'signin-repair':
        return step.beginDialog(DialogIds.contentFlow, {
          trail,
          text: description,
          questionId,
          procedureId,
        } satisfies ContentFlowOptions);
    }
  }

  /** Flows hand over to each other: the licence check to its checklist, a content answer to the licence check. */
  private async afterFlow(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as FlowResult | undefined;
    if (!result) return step.endDialog();
    switch (result.kind) {
      case 'escalate':
        return step.beginDialog(DialogIds.escalation, { trail: result.trail } satisfies EscalationOptions);
      case 'clientChecks':
        return step.replaceDialog(DialogIds.mainFlow, {
          trail: result.trail,
          questionId: this.views.flow(languageOf(step.context)).startOf('activation').id,
        } satisfies MainDialogOptions);
      case 'checkLicence':
        return step.replaceDialog(DialogIds.mainFlow, {
          trail: result.trail,
          flow: 'activation',
        } satisfies MainDialogOptions);
      default:
        return step.endDialog(result.trail);
    }
  }
}
