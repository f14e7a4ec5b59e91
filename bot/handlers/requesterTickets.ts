import { MessageFactory, type TurnContext } from 'botbuilder';
import { parsePcCheck } from '../../core/pcCheck/pcCheck';
import { withPcCheck } from '../../core/diagnosis';
import type { ParsedCardAction } from '../../core/cardActions';
import { isActive, ticketLabel, type Person } from '../../core/tickets/ticket';
import type { PcFacts } from '../../core/pcCheck/pcCheck';
import type { ActResult } from '../../core/tickets/ticketDesk';
import { feedback, leave, userMessage, withdraw } from '../../core/tickets/ticketRules';
import { attachmentLinks } from '../../dialogs/escalationPrompt';
import { isPersonalChat, personalAddressOf, personOf } from '../../dialogs/turnHelpers';
import { languageOf } from '../../dialogs/turnLanguage';
import type { Handled, TicketHandlerDeps } from './ticketHandlerDeps';

/**
 * The requester's side of tickets, in personal and group chats: "my tickets", the ticket buttons (withdraw, add
 * information, feedback), and the relay: while an agent talks with the user, what the user writes goes to the
 * ticket's thread. Every action is checked against the stored ticket and the person acting.
 */
export class RequesterTickets {
  constructor(private readonly deps: TicketHandlerDeps) {}

  /** Keeps the user's personal chat reachable for proactive messages. */
  async rememberUser(context: TurnContext): Promise<void> {
    const address = personalAddressOf(context);
    if (address && context.activity.from?.id) await this.deps.addresses.remember(personOf(context), address);
  }

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
    // A pasted PC check goes to the agent as written, and onto the ticket as facts for the channel card.
    const pasted = parsePcCheck(message);
    const result = await this.deps.desk.act(relay.number, (t, now) =>
      userMessage(
        pasted.kind === 'facts' ? { ...t, trail: withPcCheck(t.trail, { facts: pasted.facts }) } : t,
        me,
        message,
        attachments,
        now,
      ),
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

  /**
   * A PC check pasted with no diagnosis running while a ticket is still open (sent, not yet taken): it goes onto
   * the newest open ticket as information and facts. Not handled when the user has no open ticket.
   */
  async attachPcCheck(context: TurnContext, facts: PcFacts): Promise<Handled> {
    const me = personOf(context);
    const [open] = (await this.deps.desk.ticketsOf(me)).filter(isActive);
    if (!open) return 'notMine';
    const text = context.activity.text ?? '';
    const result = await this.deps.desk.act(open.number, (t, now) =>
      userMessage({ ...t, trail: withPcCheck(t.trail, { facts }) }, me, text, [], now, true),
    );
    return this.reply(context, result, 'pcCheck.attachedToTicket');
  }

  /** The number of the ticket a confirm card opened, if it opened one. */
  async ticketOfConfirmCard(key: string): Promise<number | undefined> {
    return (await this.deps.desk.openedBy(key))?.number;
  }

  private async showMine(context: TurnContext, me: Person): Promise<Handled> {
    const view = this.deps.views.myTickets(languageOf(context), await this.deps.desk.ticketsOf(me));
    await context.sendActivity(typeof view === 'string' ? view : MessageFactory.attachment(view));
    return 'handled';
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
}
