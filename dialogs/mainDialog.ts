import { WaterfallDialog, type WaterfallStepContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { emptyTrail } from '../core/diagnosis';
import { DialogIds } from './dialogIds';
import type { DiagnosisViews } from './diagnosisViews';
import { InterruptibleDialog } from './interruptibleDialog';
import { SigninRepairDialog, type SigninRepairOptions } from './signinRepairDialog';

export interface MainDialogOptions {
  /** What the user typed to start, if anything: details in it are not asked again. */
  text?: string;
}

/** Entry point of a diagnosis. Later flows (activation, Microsoft account) branch from here. */
export class MainDialog extends InterruptibleDialog {
  constructor(views: DiagnosisViews) {
    super(DialogIds.main, views);
    this.addDialog(new SigninRepairDialog(views));
    this.addDialog(new WaterfallDialog(DialogIds.mainFlow, [this.startSigninRepair.bind(this)]));
    this.initialDialogId = DialogIds.mainFlow;
  }

  private async startSigninRepair(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { text } = (step.options ?? {}) as MainDialogOptions;
    const description = text?.trim() || undefined;
    const options: SigninRepairOptions = { trail: emptyTrail(description), text: description };
    return step.replaceDialog(DialogIds.signinRepair, options);
  }
}
