import { MessageFactory } from 'botbuilder';
import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { CardAction, FlowChoice } from '../core/cardActions';
import { emptyTrail, type DiagnosisTrail } from '../core/diagnosis';
import type { ErrorCodeTable } from '../core/errorCodes/errorCodeLookup';
import type { Intent, IntentRecognizer } from '../core/intent/recognizer';
import { understand } from '../core/intent/understand';
import type { LicenceChecker } from '../core/licensing/licenceChecker';
import { ActivationDialog, type ActivationOptions, type ActivationResult } from './activationDialog';
import { CardActionPrompt, cardPromptOptions } from './cardActionPrompt';
import { DialogIds } from './dialogIds';
import {
  EscalationDialog,
  type EscalationOptions,
  type EscalationResult,
  type TicketIntake,
} from './escalationDialog';
import type { TicketViews } from '../views/ticketViews';
import type { DiagnosisViews } from '../views/diagnosisViews';
import { InterruptibleDialog } from './interruptibleDialog';
import type { LicenceViews } from '../views/licenceViews';
import { ContentFlowDialog, type ContentFlowResult, type ContentFlowOptions } from './contentFlowDialog';
import { languageOf } from './turnLanguage';

export interface MainDialogOptions {
  /** What the user typed to start, if anything: details in it are not asked again. */
  text?: string;
  /** A flow chosen with a button. */
  flow?: FlowChoice;
  /** Carried over when one flow hands over to another. */
  trail?: DiagnosisTrail;
  /** Start at this content question instead of the flow's first one. */
  questionId?: string;
}

export interface Understanding {
  recognizer: IntentRecognizer;
  errorCodes: ErrorCodeTable;
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
export class MainDialog extends InterruptibleDialog {
  constructor(
    views: DiagnosisViews,
    licenceViews: LicenceViews,
    checker: LicenceChecker,
    private readonly understanding: Understanding,
    ticketViews: TicketViews,
    intake: TicketIntake,
  ) {
    super(DialogIds.main, views);
    this.addDialog(new EscalationDialog(views, ticketViews, intake));
    this.addDialog(new CardActionPrompt(DialogIds.cardPrompt));
    this.addDialog(new ContentFlowDialog(views));
    this.addDialog(new ActivationDialog(views, licenceViews, checker));
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
    const { text, flow, questionId } = (step.options ?? {}) as MainDialogOptions;
    if (flow && flow !== 'menu') return step.next({ flow });
    // A hand-over to a content question, or a start button with no text: the sign-in repair, as before.
    if (questionId || (!text?.trim() && flow !== 'menu')) return step.next({ flow: 'signin-repair' });

    const language = languageOf(step.context);
    const result = text
      ? understand(text, this.understanding.recognizer, this.understanding.errorCodes)
      : undefined;
    for (const entry of result?.details.errorCodes.slice(0, 2) ?? [])
      await step.context.sendActivity(MessageFactory.attachment(this.views.errorCode(language, entry)));
    // A recognised error code names its flow; otherwise the recogniser decides.
    const codeFlow = result?.details.errorCodes[0]?.flow;
    if (codeFlow) return step.next({ flow: codeFlow });
    const decision = result?.decision ?? { kind: 'menu' as const };
    // A personal Microsoft account (outlook.com, hotmail, live) belongs to the account flow, whatever the app:
    // it settles a sign-in reading and a sign-in-or-account question alike.
    const signinOrAccount = (intent: Intent) => intent === 'signin' || intent === 'account';
    if (
      result?.details.accountType === 'personal' &&
      ((decision.kind === 'route' && signinOrAccount(decision.intent)) ||
        (decision.kind === 'clarify' && decision.intents.every(signinOrAccount)))
    )
      return step.next({ flow: 'account' });
    if (decision.kind === 'route' && decision.intent !== 'menu')
      return step.next({ flow: FLOW_OF_INTENT[decision.intent] });

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
          accepts: ['diagnosis.start'],
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
    const chosen = (step.result as { flow?: FlowChoice } | undefined)?.flow ?? 'signin-repair';
    const description = options.text?.trim() || undefined;
    const trail = options.trail ?? emptyTrail(description);
    const language = languageOf(step.context);
    switch (chosen) {
      case 'menu':
        return step.replaceDialog(DialogIds.mainFlow, { trail, flow: 'menu' } satisfies MainDialogOptions);
      case 'person':
        return step.beginDialog(DialogIds.escalation, { trail } satisfies EscalationOptions);
      case 'activation':
        return step.beginDialog(DialogIds.activation, { trail } satisfies ActivationOptions);
      case 'account':
        return step.beginDialog(DialogIds.contentFlow, {
          trail,
          text: description,
          questionId: options.questionId ?? this.views.flow(language).startOf('account').id,
        } satisfies ContentFlowOptions);
      case 'signin-repair':
        return step.beginDialog(DialogIds.contentFlow, {
          trail,
          text: description,
          questionId: options.questionId,
        } satisfies ContentFlowOptions);
    }
  }

  /** Flows hand over to each other: the licence check to its checklist, a content answer to the licence check. */
  private async afterFlow(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as ActivationResult | ContentFlowResult | EscalationResult | undefined;
    if (!result) return step.endDialog();
    if ('escalate' in result && result.escalate)
      return step.beginDialog(DialogIds.escalation, { trail: result.trail } satisfies EscalationOptions);
    if ('clientChecks' in result) {
      if (!result.clientChecks) return step.endDialog(result.trail);
      const questionId = this.views.flow(languageOf(step.context)).startOf('activation').id;
      return step.replaceDialog(DialogIds.mainFlow, {
        trail: result.trail,
        questionId,
      } satisfies MainDialogOptions);
    }
    if (result.checkLicence)
      return step.replaceDialog(DialogIds.mainFlow, {
        trail: result.trail,
        flow: 'activation',
      } satisfies MainDialogOptions);
    return step.endDialog(result.trail);
  }
}
