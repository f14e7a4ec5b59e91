import { MessageFactory } from 'botbuilder';
import {
  ComponentDialog,
  DialogTurnStatus,
  type DialogContext,
  type DialogTurnResult,
} from 'botbuilder-dialogs';
import { languageOf } from './turnLanguage';
import { parseCardAction } from '../core/cardActions';
import { isHumanRequest, recognizeCommand, startOptionsOf } from './commands';
import { latestTrail, stackIncludes } from './dialogStack';
import { DialogIds } from './dialogIds';
import type { DiagnosisViews } from '../views/diagnosisViews';

/**
 * The root of every conversation flow. Help, cancel and restart are handled here once, before any prompt
 * sees the message, so they work at every step in both languages.
 */
export abstract class InterruptibleDialog extends ComponentDialog {
  protected constructor(
    dialogId: string,
    protected readonly views: DiagnosisViews,
  ) {
    super(dialogId);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    return (await this.interrupt(innerDc)) ?? super.onContinueDialog(innerDc);
  }

  private async interrupt(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    const escalating = stackIncludes(innerDc.stack, DialogIds.escalation);
    const value = parseCardAction(innerDc.context.activity.value);
    // The "talk to a person" button on a step card (the menu's own button is an answer to the menu, below).
    const personButton =
      value.kind === 'action' &&
      value.action.action === 'diagnosis.start' &&
      value.action.flow === 'person' &&
      innerDc.activeDialog?.id !== DialogIds.cardPrompt;
    if (escalating && personButton) {
      // A second press (or a double-click): the hand-over is already under way; keep it, with its trail.
      await innerDc.context.sendActivity(
        this.views.text(languageOf(innerDc.context), 'escalation.inProgress'),
      );
      return { status: DialogTurnStatus.waiting };
    }
    if (!escalating && (isHumanRequest(innerDc.context.activity) || personButton)) {
      // "I want to talk to a person" mid-diagnosis: hand over with everything learned so far.
      const trail = latestTrail(innerDc.stack);
      await innerDc.cancelAllDialogs();
      return innerDc.beginDialog(this.initialDialogId, { flow: 'person', trail });
    }
    const command = recognizeCommand(innerDc.context.activity);
    if (!command) return undefined;
    // A start button on this dialog's own menu or "did you mean…?" card is an answer, not a restart.
    const parsed = parseCardAction(innerDc.context.activity.value);
    const isStartButton = parsed.kind === 'action' && parsed.action.action === 'diagnosis.start';
    if (isStartButton && innerDc.activeDialog?.id === DialogIds.cardPrompt) return undefined;
    const language = languageOf(innerDc.context);
    switch (command) {
      case 'help':
        await innerDc.context.sendActivity(MessageFactory.attachment(this.views.help(language)));
        await innerDc.context.sendActivity(this.views.text(language, 'help.resume'));
        return { status: DialogTurnStatus.waiting };
      case 'cancel':
        await innerDc.context.sendActivity(this.views.text(language, 'cancel.done'));
        return innerDc.cancelAllDialogs();
      case 'restart':
        await innerDc.cancelAllDialogs();
        await innerDc.context.sendActivity(this.views.text(language, 'restart.done'));
        return innerDc.beginDialog(this.initialDialogId, startOptionsOf(innerDc.context.activity));
    }
  }
}
