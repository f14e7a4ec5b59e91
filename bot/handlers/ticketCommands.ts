import {
  MessageFactory,
  type AdaptiveCardInvokeResponse,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import type { AdminAccess } from '../../core/admin/adminAccess';
import { parseTicketExecute, type ParsedCardAction, type TicketExecute } from '../../core/cardActions';
import type { Language } from '../../core/language';
import { foldText } from '../../core/textMatching';
import {
  TICKET_CATEGORIES,
  ticketLabel,
  type Attachment,
  type Person,
  type SupportChannel,
  type Ticket,
  type TicketCategory,
} from '../../core/tickets/ticket';
import type { ActResult, TicketDesk } from '../../core/tickets/ticketDesk';
import {
  agentMessage,
  close,
  feedback,
  leave,
  reopen,
  resolve,
  take,
  userMessage,
  withdraw,
  type RuleResult,
} from '../../core/tickets/ticketRules';
import { attachmentLinks } from '../../dialogs/escalationPrompt';
import { channelOf, isChannel, isPersonalChat, personalAddressOf, personOf } from '../../dialogs/turnHelpers';
import type { CommandWords } from '../../core/conversation/commandWords';
import type { TicketViews } from '../../views/ticketViews';
import { languageOf } from '../../dialogs/turnLanguage';

/** The support channels as the commands need them (the bot layer stores them). */
export interface SupportChannelDirectory {
  register(channel: SupportChannel, category?: TicketCategory): Promise<void>;
  isSupportChannel(channelId: string): Promise<boolean>;
}

/** Turns links from a user's message into links the other side can open (see bot/tickets/attachmentKeeper). */
export interface AttachmentCopier {
  keep(context: TurnContext, links: Attachment[]): Promise<Attachment[]>;
}

export interface TicketCommandDeps {
  desk: TicketDesk;
  channels: SupportChannelDirectory;
  addresses: { remember(person: Person, reference: Partial<ConversationReference>): Promise<void> };
  access: AdminAccess;
  views: TicketViews;
  /** Copies pasted images so the other side can open them. */
  attachments: AttachmentCopier;
  /** The language of the support channel. */
  supportLanguage: Language;
  /** A channel was registered: tickets waiting for one can go now. */
  onChannelRegistered: () => void;
  /** My tickets, queue, end, and the global commands, from content/commands.json. */
  commands: CommandWords;
  now?: () => Date;
}

export type Handled = 'handled' | 'notMine';

const REGISTER = /^(?:register support channel|サポートチャネル(?:を|に)?登録)(?:\s+(\S+))?$/i;

/** The ticket commands a manifest may list; Teams sends a command's title as the message text. */
export function recognizeTicketCommand(
  text: string,
  commands: CommandWords,
): 'myTickets' | 'queue' | 'register' | undefined {
  if (commands.is('myTickets', text)) return 'myTickets';
  if (commands.is('queue', text)) return 'queue';
  if (REGISTER.test(text.normalize('NFKC').trim())) return 'register';
  return undefined;
}

/**
 * Everything about tickets that is not the escalation dialog: the user's tickets and the relay in personal chat,
 * and in the support channel the queue, registration, thread replies and the card's Universal Actions.
 * Every action is checked against the stored ticket and the person acting; a card's payload only names the
 * ticket and the verb.
 */
export class TicketCommands {
  private readonly now: () => Date;

  constructor(private readonly deps: TicketCommandDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Keeps the user's personal chat reachable for proactive messages. */
  async rememberUser(context: TurnContext): Promise<void> {
    const address = personalAddressOf(context);
    if (address && context.activity.from?.id) await this.deps.addresses.remember(personOf(context), address);
  }

  /** The Action.Submit fallback of a channel card, from a client without Universal Actions. */
  async submitFallback(context: TurnContext, execute: TicketExecute): Promise<void> {
    const answer = await this.execute(context, execute);
    await context.sendActivity(
      answer.kind === 'card'
        ? this.supportText('ticket.agent.updated', { label: ticketLabel(execute.ticket) })
        : answer.text,
    );
  }

  // --- the user's side ---

  /** The requester's ticket buttons (withdraw, add info, feedback) and "my tickets". */
  async requesterTurn(context: TurnContext, parsed: ParsedCardAction): Promise<Handled> {
    const me = personOf(context);
    if (parsed.kind === 'action') {
      const action = parsed.action;
      switch (action.action) {
        case 'ticket.mine':
          return this.showMine(context, me);
        case 'ticket.withdraw':
          return this.reply(
            context,
            await this.deps.desk.act(action.ticket, (t, now) => withdraw(t, me, now)),
            'ticket.user.withdrawn',
          );
        case 'ticket.addInfo': {
          const info = action.info?.trim() ?? '';
          if (!info) {
            await context.sendActivity(this.text(context, 'ticket.user.infoEmpty'));
            return 'handled';
          }
          return this.reply(
            context,
            await this.deps.desk.act(action.ticket, (t, now) => userMessage(t, me, info, [], now, true)),
            'ticket.user.infoAdded',
          );
        }
        case 'ticket.feedback': {
          const solved = action.solved === 'yes';
          const rating = action.rating ? Number(action.rating) : undefined;
          const result = await this.deps.desk.act(action.ticket, (t, now) =>
            feedback(t, me, solved, rating, now),
          );
          return this.reply(
            context,
            result,
            solved ? 'ticket.user.feedbackThanks' : 'ticket.user.feedbackReopened',
          );
        }
        default:
          return 'notMine';
      }
    }
    if (parsed.kind === 'invalid') return 'notMine';
    if (!this.deps.commands.is('myTickets', context.activity.text ?? '')) return 'notMine';
    if (isPersonalChat(context)) return this.showMine(context, me);
    // A list of someone's tickets is not for the whole group chat.
    await context.sendActivity(this.text(context, 'ticket.mine.personalOnly'));
    return 'handled';
  }

  /**
   * The relay: while an agent is talking with the user, what the user writes goes to the ticket's thread.
   * "#2 …" names the ticket when several are open.
   */
  async relay(
    context: TurnContext,
    options: { dialogActive: boolean; escalating: boolean },
  ): Promise<Handled> {
    const me = personOf(context);
    const text = context.activity.text ?? '';
    const addressed = /^[#＃]\s*(\d{1,9})\s+([\s\S]+)$/.exec(text.trim());
    const named = addressed ? Number(addressed[1]) : undefined;
    const message = addressed ? addressed[2].trim() : text;
    const relay = await this.deps.desk.relayFor(me, named);
    if (named !== undefined && relay?.number !== named)
      return this.toTicketNotInConversation(context, me, named, message);
    if (!relay) return 'notMine';
    const command = this.deps.commands.command(text);
    // 「終了」 is also "cancel": with a question of the bot's open, it cancels that, unless a ticket is named.
    const cancelsDialog = options.dialogActive && named === undefined && command === 'cancel';
    if (this.deps.commands.is('end', message) && !cancelsDialog)
      return this.reply(
        context,
        await this.deps.desk.act(relay.number, (t, now) => leave(t, me, now)),
        'ticket.user.left',
      );
    // Help, cancel and restart stay the bot's, and so does the escalation form being filled in; anything else
    // goes to the agent, as the user was told when the agent took the ticket.
    if (named === undefined && ((command && command !== 'person') || options.escalating)) return 'notMine';
    const attachments = await this.deps.attachments.keep(
      context,
      attachmentLinks(context.activity.attachments),
    );
    const result = await this.deps.desk.act(relay.number, (t, now) =>
      userMessage(t, me, message, attachments, now),
    );
    if ('refused' in result) return this.reply(context, result, 'ticket.user.infoAdded');
    // One short confirmation per burst of messages: after that the user knows where their words go.
    const events = result.ticket.events;
    const previous = events[events.length - 2];
    if (previous?.kind !== 'userMessage')
      await context.sendActivity(this.text(context, 'ticket.user.relayHint', { label: ticketLabel(relay) }));
    return 'handled';
  }

  /** "#n …" for one of the user's tickets that no agent is talking about: added as information, or explained. */
  private async toTicketNotInConversation(
    context: TurnContext,
    me: Person,
    number: number,
    message: string,
  ): Promise<Handled> {
    const result = await this.deps.desk.act(number, (t, now) => userMessage(t, me, message, [], now, true));
    if ('refused' in result) {
      await context.sendActivity(this.deps.views.refusal(languageOf(context), number, result));
      return 'handled';
    }
    await context.sendActivity(this.text(context, 'ticket.user.infoAdded', { label: ticketLabel(number) }));
    return 'handled';
  }

  private async showMine(context: TurnContext, me: Person): Promise<Handled> {
    const view = this.deps.views.myTickets(languageOf(context), await this.deps.desk.ticketsOf(me));
    await context.sendActivity(typeof view === 'string' ? view : MessageFactory.attachment(view));
    return 'handled';
  }

  // --- the support channel ---

  /** The support channel: registration, the queue, and thread replies to the user. */
  async inChannel(context: TurnContext): Promise<Handled> {
    // Commands are matched folded; what an agent writes to the user is passed on exactly as written.
    const raw = (context.activity.text ?? '').trim();
    const text = raw.normalize('NFKC');
    const conversationId = context.activity.conversation.id;
    const channelId = channelOf(conversationId);
    const register = REGISTER.exec(text);
    if (register) return this.register(context, channelId, register[1]);
    if (this.deps.commands.is('queue', text)) {
      if (!(await this.deps.channels.isSupportChannel(channelId))) {
        await context.sendActivity(this.supportText('ticket.refused.notSupportChannel', { label: '' }));
        return 'handled';
      }
      const queue = (await this.deps.desk.queue()).filter((t) => t.card?.channelId === channelId);
      const view = this.deps.views.queue(this.deps.supportLanguage, queue, this.now());
      await context.sendActivity(typeof view === 'string' ? view : MessageFactory.attachment(view));
      return 'handled';
    }
    // A reply in a ticket's thread goes to the user.
    const ticket = await this.ticketOfThread(conversationId);
    if (!ticket) return 'notMine';
    const agent = personOf(context);
    const attachments = await this.deps.attachments.keep(
      context,
      attachmentLinks(context.activity.attachments),
    );
    const result = await this.deps.desk.act(ticket.number, (t, now) =>
      agentMessage(t, agent, raw, attachments, now),
    );
    if ('refused' in result)
      await context.sendActivity(this.deps.views.refusal(this.deps.supportLanguage, ticket.number, result));
    return 'handled';
  }

  private async ticketOfThread(conversationId: string): Promise<Ticket | undefined> {
    if (!conversationId.includes(';messageid=')) return undefined;
    const root = conversationId.split(';messageid=')[1];
    const ticket = await this.deps.desk.byCard(root);
    // The same root id in another channel is not this ticket's thread.
    return ticket?.card?.channelId === channelOf(conversationId) ? ticket : undefined;
  }

  private async register(
    context: TurnContext,
    channelId: string,
    categoryWord: string | undefined,
  ): Promise<Handled> {
    const t = (key: string, params?: Record<string, string | number>) => this.supportText(key, params);
    if (!isChannel(context)) {
      await context.sendActivity(t('ticket.channel.registerOnlyInChannel'));
      return 'handled';
    }
    let category: TicketCategory | undefined;
    if (categoryWord) {
      const folded = foldText(categoryWord);
      category = TICKET_CATEGORIES.find((c) => c === folded);
      if (!category) {
        await context.sendActivity(
          t('ticket.channel.registerUnknownCategory', { category: categoryWord.slice(0, 40) }),
        );
        return 'handled';
      }
    }
    let allowed = false;
    try {
      allowed = await this.deps.access.mayManageSupport(context.activity.from?.aadObjectId);
    } catch {
      allowed = false;
    }
    if (!allowed) {
      await context.sendActivity(t('ticket.channel.registerRefused'));
      return 'handled';
    }
    const channelData = context.activity.channelData as
      { team?: { id?: string }; tenant?: { id?: string } } | undefined;
    await this.deps.channels.register(
      {
        channelId,
        serviceUrl: context.activity.serviceUrl,
        tenantId: channelData?.tenant?.id ?? context.activity.conversation.tenantId,
        teamId: channelData?.team?.id,
        registeredBy: context.activity.from?.aadObjectId ?? context.activity.from?.id,
        registeredAt: this.now().toISOString(),
      },
      category,
    );
    await context.sendActivity(
      t('ticket.channel.registered', {
        scope: category
          ? this.deps.views.categoryLabel(this.deps.supportLanguage, category)
          : t('ticket.channel.scopeAll'),
      }),
    );
    this.deps.onChannelRegistered();
    return 'handled';
  }

  /** An adaptiveCard/action invoke from a ticket's card: answered with the re-rendered card, or why not. */
  async onInvoke(
    context: TurnContext,
    action: { verb?: unknown; data?: unknown },
  ): Promise<AdaptiveCardInvokeResponse | undefined> {
    const execute = parseTicketExecute(action);
    if (!execute) return undefined;
    const answer = await this.execute(context, execute);
    return answer.kind === 'card'
      ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: answer.card }
      : {
          statusCode: 200,
          type: 'application/vnd.microsoft.activity.message',
          value: answer.text as unknown as Record<string, unknown>,
        };
  }

  private async execute(
    context: TurnContext,
    execute: TicketExecute,
  ): Promise<{ kind: 'card'; card: Record<string, unknown> } | { kind: 'text'; text: string }> {
    const language = this.deps.supportLanguage;
    const refuse = (refusal: Parameters<TicketViews['refusal']>[2]) => ({
      kind: 'text' as const,
      text: this.deps.views.refusal(language, execute.ticket, refusal),
    });
    const ticket = await this.deps.desk.get(execute.ticket);
    if (!ticket) return refuse({ refused: 'notFound' });
    // Only from the thread the card lives in: a card copied or forged elsewhere acts on nothing.
    const conversationId = context.activity.conversation?.id ?? '';
    if (!ticket.card || channelOf(conversationId) !== ticket.card.channelId)
      return refuse({ refused: 'wrongChannel' });
    const agent = personOf(context);
    const rule = ((): ((t: Ticket, now: Date) => RuleResult) => {
      switch (execute.verb) {
        case 'ticket.take':
          return (t, now) => take(t, agent, now);
        case 'ticket.reply':
          return (t, now) => agentMessage(t, agent, execute.reply ?? '', [], now);
        case 'ticket.resolve':
          return (t, now) => resolve(t, agent, now);
        case 'ticket.close':
          return (t, now) => close(t, agent, now);
        case 'ticket.reopen':
          return (t, now) => reopen(t, agent, now);
      }
    })();
    const result: ActResult = await this.deps.desk.act(ticket.number, rule);
    if ('refused' in result) return refuse(result);
    return { kind: 'card', card: this.deps.views.channelCard(language, result.ticket).content };
  }

  private async reply(context: TurnContext, result: ActResult, successKey: string): Promise<Handled> {
    const language = languageOf(context);
    if ('refused' in result) {
      const number = Number((context.activity.value as { ticket?: unknown } | undefined)?.ticket) || 0;
      await context.sendActivity(this.deps.views.refusal(language, number, result));
    } else {
      await context.sendActivity(
        this.deps.views.text(language, successKey, { label: ticketLabel(result.ticket) }),
      );
    }
    return 'handled';
  }

  private text(context: TurnContext, key: string, params?: Record<string, string | number>): string {
    return this.deps.views.text(languageOf(context), key, params);
  }

  private supportText(key: string, params?: Record<string, string | number>): string {
    return this.deps.views.text(this.deps.supportLanguage, key, params);
  }
}
