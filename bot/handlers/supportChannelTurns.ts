import { MessageFactory, type TurnContext } from 'botbuilder';
import { foldText } from '../../core/textMatching';
import { TICKET_CATEGORIES, type Ticket, type TicketCategory } from '../../core/tickets/ticket';
import { agentMessage } from '../../core/tickets/ticketRules';
import { attachmentLinks } from '../../dialogs/escalationPrompt';
import { channelOf, isChannel, personOf } from '../../dialogs/turnHelpers';
import { parseStatsRequest } from '../../core/stats/statsRequest';
import { showDashboard } from '../stats/dashboard';
import { REGISTER, type Handled, type TicketHandlerDeps } from './ticketHandlerDeps';

/**
 * The support channel, as agents use it by typing: registering the channel (admins only), the queue, and
 * replies in a ticket's thread, which go to the user.
 */
export class SupportChannelTurns {
  private readonly now: () => Date;

  constructor(private readonly deps: TicketHandlerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The support channel: registration, the queue, and thread replies to the user. */
  async inChannel(context: TurnContext): Promise<Handled> {
    // Commands are matched folded; what an agent writes to the user is passed on exactly as written.
    const raw = (context.activity.text ?? '').trim();
    const text = raw.normalize('NFKC');
    const conversationId = context.activity.conversation.id;
    const channelId = channelOf(conversationId);
    const register = REGISTER.exec(text);
    if (register) return this.register(context, channelId, register[1]);
    const stats = parseStatsRequest(text);
    if (stats) {
      if (!(await this.deps.channels.isSupportChannel(channelId))) return 'notMine';
      await showDashboard(context, this.deps.dashboard, this.deps.supportLanguage, stats);
      return 'handled';
    }
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
      { team?: { id?: string; aadGroupId?: string }; tenant?: { id?: string } } | undefined;
    await this.deps.channels.register(
      {
        channelId,
        serviceUrl: context.activity.serviceUrl,
        tenantId: channelData?.tenant?.id ?? context.activity.conversation.tenantId,
        teamId: channelData?.team?.id,
        teamGroupId:
          typeof channelData?.team?.aadGroupId === 'string' ? channelData.team.aadGroupId : undefined,
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

  private supportText(key: string, params?: Record<string, string | number>): string {
    return this.deps.views.text(this.deps.supportLanguage, key, params);
  }
}
