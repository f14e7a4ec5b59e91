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
import type { DialogState } from '../dialogs/dialogsLibrary';
import { languageOf } from '../dialogs/turnLanguage';
import { isSharedConversation } from '../dialogs/turnHelpers';
import type { DiagnosisViews } from '../views/diagnosisViews';
import type { MainDialog } from '../dialogs/mainDialog';
import type { AdminCommands } from './handlers/adminCommands';
import type { Logger } from './logger';
import type { TicketHandlers } from './router';
import type { Understanding } from '../core/intent/intentModel';
import { TurnRouter } from './router';

export interface SigninDeskBotDeps {
  /** Shared by everyone in a conversation: install bookkeeping such as "welcomed". */
  conversationState: BotState;
  /** Keyed by conversation and user, so each person in a group chat has their own diagnosis. */
  userInConversationState: BotState;
  mainDialog: MainDialog;
  adminCommands: AdminCommands;
  views: DiagnosisViews;
  tickets: TicketHandlers;
  understanding: Understanding;
  logger: Logger;
  onRouted?: (route: string, flow: string) => void;
}

/**
 * The Teams activity handler: installs get a welcome, messages go to the router (bot/router.ts), and card invokes
 * to the ticket cards; anything else gets a clear answer instead of silence.
 */
export class SigninDeskBot extends TeamsActivityHandler {
  private readonly welcomed: StatePropertyAccessor<boolean>;
  private readonly router: TurnRouter;

  constructor(private readonly deps: SigninDeskBotDeps) {
    super();
    this.welcomed = deps.conversationState.createProperty<boolean>('welcomed');
    this.router = new TurnRouter({
      dialogState: deps.userInConversationState.createProperty<DialogState>('dialogState'),
      suspended: deps.userInConversationState.createProperty('suspendedDiagnosis'),
      mainDialog: deps.mainDialog,
      adminCommands: deps.adminCommands,
      tickets: deps.tickets,
      views: deps.views,
      understanding: deps.understanding,
      logger: deps.logger,
      onRouted: deps.onRouted,
    });

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
    // Keeps the user's personal chat reachable for proactive messages (ticket updates).
    await this.deps.tickets.requester.rememberUser(context);
    await this.router.route(context);
  }

  /** Universal Actions: the ticket cards in the support channel. Anything else gets an answer, not a hang. */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const answer = await this.deps.tickets.cardActions.onInvoke(context, invokeValue.action);
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
