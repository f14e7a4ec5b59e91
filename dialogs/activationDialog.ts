import { MessageFactory } from 'botbuilder';
import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from './dialogsLibrary';
import type { CardAction } from '../core/cardActions';
import { withLicence, type DiagnosisTrail } from '../core/diagnosis';
import type { LicenceChecker } from '../core/licensing/licenceChecker';
import { findingKind } from '../core/licensing/verdict';
import type { OfficeInstallLimit } from '../core/licensing/officeInstallLimit';
import { renderQuestionCard } from '../cards/questionCard';
import { CardActionPrompt, cardPromptOptions } from './cardActionPrompt';
import type { DiagnosisViews } from '../views/diagnosisViews';
import { DialogIds } from './dialogIds';
import type { HelpDeskEvents } from '../core/stats/helpDeskEvents';
import type { FlowResult } from './flowResult';
import type { LicenceViews } from '../views/licenceViews';
import { languageOf } from './turnLanguage';

export interface ActivationOptions {
  trail: DiagnosisTrail;
}

/**
 * "Office won't activate", server side: the user's licence as Microsoft Graph sees it (seed 001's first
 * checks), in plain words. Then the client-side checklist, unless only an admin can fix it and the user
 * would rather stop.
 */
export class ActivationDialog extends ComponentDialog {
  constructor(
    private readonly views: DiagnosisViews,
    private readonly licenceViews: LicenceViews,
    private readonly checker: LicenceChecker,
    private readonly events: HelpDeskEvents,
    /** Microsoft's install limit from the activations report; says nothing without a definite answer. */
    private readonly installLimit?: Pick<OfficeInstallLimit, 'check'>,
  ) {
    super(DialogIds.activation);
    this.addDialog(new CardActionPrompt(DialogIds.cardPrompt));
    this.addDialog(
      new WaterfallDialog(DialogIds.activationFlow, [
        this.checkLicence.bind(this),
        this.afterChoice.bind(this),
      ]),
    );
    this.initialDialogId = DialogIds.activationFlow;
  }

  private async checkLicence(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { trail } = step.options as ActivationOptions;
    const language = languageOf(step.context);
    await step.context.sendActivities([
      { type: 'typing' },
      MessageFactory.text(this.views.text(language, 'activation.checking')),
    ]);
    const userId = step.context.activity.from?.aadObjectId;
    const result = userId ? await this.checker.check(userId) : ({ kind: 'notFound' } as const);

    let checked: DiagnosisTrail;
    if (result.kind !== 'checked') {
      // Graph unreachable (or no such user): say so, offer a person, and keep what the user can check themselves.
      const notice = result.kind === 'notFound' ? 'notFound' : 'unavailable';
      await step.context.sendActivity(
        MessageFactory.attachment(this.licenceViews.verdict(language, undefined, notice)),
      );
      checked = withLicence(trail, { unavailable: true });
      this.events.record({ kind: 'licenceChecked', findings: [], unavailable: true });
    } else {
      const { verdict } = result;
      checked = withLicence(trail, {
        usable: verdict.usableDesktopOffice,
        findings: verdict.findings.map((f) => f.code),
      });
      this.events.record({ kind: 'licenceChecked', findings: verdict.findings.map(findingKind) });
      await step.context.sendActivity(
        MessageFactory.attachment(this.licenceViews.verdict(language, verdict)),
      );
      if (verdict.usableDesktopOffice) {
        const upn = result.snapshot.user.userPrincipalName;
        const limit = await this.installLimit?.check(upn, result.snapshot.user.mail);
        if (limit?.atLimit)
          await step.context.sendActivity(
            MessageFactory.attachment(this.licenceViews.installLimit(language, limit)),
          );
        await step.context.sendActivity(this.views.text(language, 'activation.okIntro'));
        await step.context.sendActivity(this.views.text(language, 'activation.yourAccount', { upn }));
        return step.endDialog({ kind: 'clientChecks', trail: checked } satisfies FlowResult);
      }
    }
    (step.values as { trail?: DiagnosisTrail }).trail = checked;
    const choice = (id: 'continue' | 'person' | 'done'): CardAction => ({
      action: 'activation.next',
      choice: id,
    });
    const labels = {
      continue: this.views.text(language, 'activation.continue'),
      person: this.views.text(language, 'activation.person'),
      done: this.views.text(language, 'activation.done'),
    };
    return step.prompt(
      DialogIds.cardPrompt,
      cardPromptOptions(
        renderQuestionCard({
          action: 'activation.next',
          prompt: this.views.text(
            language,
            result.kind === 'checked' ? 'activation.blockerPrompt' : 'activation.unavailablePrompt',
          ),
          choices: (['continue', 'person', 'done'] as const).map((id) => ({ id, label: labels[id] })),
        }),
        {
          waiting: { kind: 'activation', flow: 'activation' },
          accepts: ['activation.next'],
          textChoices: [
            {
              label: labels.continue,
              keywords: this.views.words('continueChecks'),
              action: choice('continue'),
            },
            { label: labels.person, keywords: this.views.words('person'), action: choice('person') },
            {
              label: labels.done,
              keywords: this.views.words('thanks'),
              action: choice('done'),
            },
          ],
          retryText: this.views.text(language, 'prompt.retry'),
          staleText: this.views.text(language, 'prompt.stale'),
        },
      ),
    );
  }

  private async afterChoice(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const trail = (step.values as { trail: DiagnosisTrail }).trail;
    const answer = step.result as Extract<CardAction, { action: 'activation.next' }>;
    const language = languageOf(step.context);
    if (answer.choice === 'continue')
      return step.endDialog({ kind: 'clientChecks', trail } satisfies FlowResult);
    if (answer.choice === 'person') return step.endDialog({ kind: 'escalate', trail } satisfies FlowResult);
    await step.context.sendActivity(this.views.text(language, 'activation.doneText'));
    return step.endDialog({ kind: 'finished', trail } satisfies FlowResult);
  }
}
