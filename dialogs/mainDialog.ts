import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { emptyTrail, type DiagnosisTrail } from '../core/diagnosis';
import type { LicenceChecker } from '../core/licensing/licenceChecker';
import { ActivationDialog, type ActivationOptions, type ActivationResult } from './activationDialog';
import { DialogIds } from './dialogIds';
import type { DiagnosisViews } from './diagnosisViews';
import { InterruptibleDialog } from './interruptibleDialog';
import type { LicenceViews } from './licenceViews';
import { SigninRepairDialog, type ContentFlowResult, type SigninRepairOptions } from './signinRepairDialog';
import { languageOf } from './turnLanguage';
import { foldText } from '../core/textMatching';

export type FlowChoice = 'signin-repair' | 'activation';

export interface MainDialogOptions {
  /** What the user typed to start, if anything: details in it are not asked again. */
  text?: string;
  /** A flow chosen with a button. */
  flow?: FlowChoice;
  /** Carried over when one flow hands over to another. */
  trail?: DiagnosisTrail;
  /** Start at this content question instead of the sign-in repair's first one. */
  questionId?: string;
}

/** Entry point of a diagnosis: activation problems get the licence check first, everything else the sign-in repair. */
export class MainDialog extends InterruptibleDialog {
  constructor(views: DiagnosisViews, licenceViews: LicenceViews, checker: LicenceChecker) {
    super(DialogIds.main, views);
    this.addDialog(new SigninRepairDialog(views));
    this.addDialog(new ActivationDialog(views, licenceViews, checker));
    this.addDialog(
      new WaterfallDialog(DialogIds.mainFlow, [this.start.bind(this), this.afterFlow.bind(this)]),
    );
    this.initialDialogId = DialogIds.mainFlow;
  }

  private isActivationProblem(text: string): boolean {
    // Keywords are content (texts.json, both languages): "ライセンス認証", "activate", "Unlicensed Product"...
    const folded = foldText(text);
    return (['ja', 'en'] as const).some((language) =>
      this.views
        .text(language, 'triage.activationKeywords')
        .split('|')
        .some((keyword) => folded.includes(foldText(keyword))),
    );
  }

  private async start(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { text, flow, trail: carried, questionId } = (step.options ?? {}) as MainDialogOptions;
    const description = text?.trim() || undefined;
    const trail = carried ?? emptyTrail(description);
    if (
      flow === 'activation' ||
      (!flow && !questionId && description && this.isActivationProblem(description))
    ) {
      return step.beginDialog(DialogIds.activation, { trail } satisfies ActivationOptions);
    }
    return step.beginDialog(DialogIds.signinRepair, {
      trail,
      text: description,
      questionId,
    } satisfies SigninRepairOptions);
  }

  /** Flows hand over to each other: the licence check to its checklist, a content answer to the licence check. */
  private async afterFlow(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as
      (ActivationResult & { checkLicence?: undefined }) | ContentFlowResult | undefined;
    if (!result) return step.endDialog();
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
