import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import { parseTicketExecute, type TicketExecute } from '../../core/cardActions';
import { ticketLabel, type Ticket } from '../../core/tickets/ticket';
import type { ActResult } from '../../core/tickets/ticketDesk';
import { agentMessage, close, reopen, resolve, take, type RuleResult } from '../../core/tickets/ticketRules';
import { channelOf, personOf } from '../../dialogs/turnHelpers';
import type { TicketViews } from '../../views/ticketViews';
import type { TicketHandlerDeps } from './ticketHandlerDeps';

/**
 * The buttons on a ticket's card in the support channel (take, reply, resolve, close, reopen), as Universal
 * Actions or, from an older client, as Action.Submit. A card's payload only names the ticket and the verb; the
 * stored ticket, the thread the card lives in and the person acting decide.
 */
export class TicketCardActions {
  constructor(private readonly deps: TicketHandlerDeps) {}

  /** The Action.Submit fallback of a channel card, from a client without Universal Actions. */
  async submitFallback(context: TurnContext, execute: TicketExecute): Promise<void> {
    const answer = await this.execute(context, execute);
    await context.sendActivity(
      answer.kind === 'card'
        ? this.supportText('ticket.agent.updated', { label: ticketLabel(execute.ticket) })
        : answer.text,
    );
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
    // And only from that ticket's own card: a Take pressed on #2's card with `ticket: 3` in its data acts on
    // nothing. The thread's root (or the card the button sits on) names the card.
    const fromCard = threadRootOf(conversationId) ?? context.activity.replyToId;
    if (fromCard !== undefined && fromCard !== ticket.card.activityId)
      return refuse({ refused: 'wrongThread' });
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

  private supportText(key: string, params?: Record<string, string | number>): string {
    return this.deps.views.text(this.deps.supportLanguage, key, params);
  }
}

/** The root message of a channel thread's conversation id (`19:…@thread.tacv2;messageid=<root>`). */
function threadRootOf(conversationId: string): string | undefined {
  const root = conversationId.split(';messageid=')[1];
  return root ? root : undefined;
}
