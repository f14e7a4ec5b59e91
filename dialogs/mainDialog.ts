import { WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { emptyTrail } from '../core/diagnosis';
import type { LicenceChecker } from '../core/licensing/licenceChecker';
import { ActivationDialog, type ActivationOptions, type ActivationResult } from './activationDialog';
import { DialogIds } from './dialogIds';
import type { DiagnosisViews } from './diagnosisViews';
import { InterruptibleDialog } from './interruptibleDialog';
import type { LicenceViews } from './licenceViews';
import { SigninRepairDialog, type SigninRepairOptions } from './signinRepairDialog';
import { languageOf } from './turnLanguage';
import { foldText } from '../core/textMatching';

export type FlowChoice = 'signin-repair' | 'activation';

export interface MainDialogOptions {
  /** What the user typed to start, if anything: details in it are not asked again. */
  text?: string;
  /** A flow chosen with a button. */
  flow?: FlowChoice;
}

/** Entry point of a diagnosis: activation problems get the licence check first, everything else the sign-in repair. */
export class MainDialog extends InterruptibleDialog {
  constructor(views: DiagnosisViews, licenceViews: LicenceViews, checker: LicenceChecker) {
    super(DialogIds.main, views);
    this.addDialog(new SigninRepairDialog(views));
    this.addDialog(new ActivationDialog(views, licenceViews, checker));
    this.addDialog(
      new WaterfallDialog(DialogIds.mainFlow, [this.start.bind(this), this.afterActivation.bind(this)]),
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
    const { text, flow } = (step.options ?? {}) as MainDialogOptions;
    const description = text?.trim() || undefined;
    const trail = emptyTrail(description);
    if (flow === 'activation' || (!flow && description && this.isActivationProblem(description))) {
      return step.beginDialog(DialogIds.activation, { trail } satisfies ActivationOptions);
    }
    return step.replaceDialog(DialogIds.signinRepair, {
      trail,
      text: description,
    } satisfies SigninRepairOptions);
  }

  private async afterActivation(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as ActivationResult | undefined;
    if (!result?.clientChecks) return step.endDialog(result?.trail);
    const questionId = this.views.flow(languageOf(step.context)).startOf('activation').id;
    return step.replaceDialog(DialogIds.signinRepair, {
      trail: result.trail,
      questionId,
    } satisfies SigninRepairOptions);
  }
}
