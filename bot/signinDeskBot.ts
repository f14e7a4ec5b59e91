import {
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type BotState,
  type ChannelAccount,
  type StatePropertyAccessor,
} from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { parseCardAction } from '../core/cardActions';
import type { Language } from '../core/language';
import { languageOf } from '../dialogs/turnLanguage';
import { recognizeCommand, startOptionsOf } from '../dialogs/commands';
import type { DiagnosisViews } from '../views/diagnosisViews';
import type { MainDialog, MainDialogOptions } from '../dialogs/mainDialog';
import { parseAdminRequest, type AdminCommands } from './handlers/adminCommands';
import type { Logger } from './logger';
import { DialogIds } from '../dialogs/dialogIds';
import { stackIncludes } from '../dialogs/dialogStack';
import type { TicketCommands } from './handlers/ticketCommands';
import { attachmentLinks } from '../dialogs/escalationPrompt';

export interface SigninDeskBotDeps {
  /** Shared by everyone in a conversation: install bookkeeping such as "welcomed". */
  conversationState: BotState;
  /** Keyed by conversation and user, so each person in a group chat has their own diagnosis. */
  userInConversationState: BotState;
  mainDialog: MainDialog;
  adminCommands: AdminCommands;
  views: DiagnosisViews;
  ticketCommands: TicketCommands;
  logger: Logger;
}

const isSharedConversation = (context: TurnContext): boolean =>
  (context.activity.conversation?.conversationType ?? 'personal') !== 'personal';

/**
 * Routes Teams activities: installs get a welcome, messages go to the diagnosis dialogs, and anything the
 * dialogs cannot place gets a clear answer instead of silence.
 */
export class SigninDeskBot extends TeamsActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly welcomed: StatePropertyAccessor<boolean>;
  private readonly dialogs: DialogSet;

  constructor(private readonly deps: SigninDeskBotDeps) {
    super();
    this.dialogState = deps.userInConversationState.createProperty<DialogState>('dialogState');
    this.welcomed = deps.conversationState.createProperty<boolean>('welcomed');
    this.dialogs = new DialogSet(this.dialogState).add(deps.mainDialog);

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.welcomeOnce(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botAdded = (context.activity.membersAdded ?? []).some(
        (member: ChannelAccount) => member.id === context.activity.recipient?.id,
      );
      if (botAdded) await this.welcomeOnce(context);
      await next();
    });
  }

  /** Saves state after every turn, including turns that the handler ends early. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.deps.conversationState.saveChanges(context, false);
    await this.deps.userInConversationState.saveChanges(context, false);
  }

  private async welcomeOnce(context: TurnContext): Promise<void> {
    // Teams may send installationUpdate and conversationUpdate for one install, in either order.
    if (await this.welcomed.get(context, false)) return;
    await this.welcomed.set(context, true);
    const language = languageOf(context);
    await context.sendActivity(
      MessageFactory.attachment(this.deps.views.welcome(language, isSharedConversation(context))),
    );
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const language = languageOf(context);
    const parsed = parseCardAction(activity.value);

    if (isSharedConversation(context) && parsed.kind === 'none') {
      // In group chats and channels people talk to each other: answer only when addressed.
      const mentioned = TurnContext.getMentions(activity).some(
        (m) => m.mentioned?.id === activity.recipient?.id,
      );
      if (!mentioned) return;
      activity.text = TurnContext.removeRecipientMention(activity)?.trim() ?? '';
    }

    // Tickets first: the relay to an agent, "my tickets", and in the support channel the queue and thread replies.
    await this.deps.ticketCommands.rememberUser(context);
    const dialogState = await this.dialogState.get(context);
    const dialogActive = (dialogState?.dialogStack?.length ?? 0) > 0;
    const escalating = stackIncludes(dialogState?.dialogStack ?? [], DialogIds.escalation);
    if ((await this.deps.ticketCommands.handleMessage(context, { dialogActive, escalating })) === 'handled')
      return;

    const welcome = () =>
      context.sendActivity(
        MessageFactory.attachment(this.deps.views.welcome(language, isSharedConversation(context))),
      );
    const empty = !activity.text?.trim() && parsed.kind === 'none';
    if (empty && attachmentLinks(activity.attachments).length === 0) {
      // An empty message (e.g. only a mention): show the way in.
      await welcome();
      return;
    }
    if (empty) {
      // Only files: a dialog may be waiting for them (the escalation's screenshot); otherwise, the way in.
      const dc = await this.dialogs.createContext(context);
      if ((await dc.continueDialog()).status === DialogTurnStatus.empty) await welcome();
      return;
    }

    // Licence questions are one-shot and work at any point, without disturbing a diagnosis in progress.
    const adminRequest = parseAdminRequest(
      activity.text,
      parsed.kind === 'action' ? parsed.action : undefined,
    );
    if (adminRequest && (await this.deps.adminCommands.handle(context, adminRequest)) === 'handled') return;

    const dc = await this.dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status !== DialogTurnStatus.empty) return;

    await this.handleOutsideDialog(context, language, parsed, dc.beginDialog.bind(dc));
  }

  /** No diagnosis is running: commands, stale buttons and new problems land here. */
  private async handleOutsideDialog(
    context: TurnContext,
    language: Language,
    parsed: ReturnType<typeof parseCardAction>,
    beginDialog: (id: string, options: MainDialogOptions) => Promise<unknown>,
  ): Promise<void> {
    const views = this.deps.views;
    const command = recognizeCommand(context.activity);
    if (command === 'help') {
      await context.sendActivity(MessageFactory.attachment(views.help(language)));
      return;
    }
    if (command === 'cancel') {
      await context.sendActivity(views.text(language, 'cancel.nothing'));
      return;
    }
    if (command === 'restart') {
      await beginDialog(this.deps.mainDialog.id, startOptionsOf(context.activity));
      return;
    }
    if (parsed.kind === 'invalid') {
      await context.sendActivity(
        MessageFactory.attachment(views.notice(language, 'card.unknownAction', true)),
      );
      return;
    }
    if (parsed.kind === 'action') {
      await context.sendActivity(
        MessageFactory.attachment(views.notice(language, 'card.finishedDiagnosis', true)),
      );
      return;
    }
    await beginDialog(this.deps.mainDialog.id, { text: context.activity.text });
  }

  /** Universal Actions: the ticket cards in the support channel. Anything else gets an answer, not a hang. */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const answer = await this.deps.ticketCommands.onInvoke(context, invokeValue.action);
    if (answer) return answer;
    this.deps.logger.warn('unhandled adaptiveCard/action invoke', {
      conversationType: context.activity.conversation?.conversationType,
    });
    return {
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: this.deps.views.text(languageOf(context), 'card.unknownAction') as unknown as Record<
        string,
        unknown
      >,
    };
  }
}
