import type { ConversationReference, TurnContext } from 'botbuilder';
import type { AdminAccess } from '../../core/admin/adminAccess';
import type { CommandWords } from '../../core/conversation/commandWords';
import type { Language } from '../../core/language';
import type { Attachment, Person, SupportChannel, TicketCategory } from '../../core/tickets/ticket';
import type { TicketDesk } from '../../core/tickets/ticketDesk';
import type { TicketViews } from '../../views/ticketViews';
import type { Dashboard } from '../stats/dashboard';

/** The support channels as the commands need them (the bot layer stores them). */
export interface SupportChannelDirectory {
  register(channel: SupportChannel, category?: TicketCategory): Promise<void>;
  isSupportChannel(channelId: string): Promise<boolean>;
}

/** Turns links from a user's message into links the other side can open (see bot/tickets/attachmentKeeper). */
export interface AttachmentCopier {
  keep(context: TurnContext, links: Attachment[]): Promise<Attachment[]>;
}

/** What the ticket handlers share: the desk, the channels, addresses, access, views and the command words. */
export interface TicketHandlerDeps {
  desk: TicketDesk;
  channels: SupportChannelDirectory;
  addresses: { remember(person: Person, reference: Partial<ConversationReference>): Promise<void> };
  access: AdminAccess;
  views: TicketViews;
  /** Copies pasted images so the other side can open them. */
  attachments: AttachmentCopier;
  /** The language of the support channel. */
  supportLanguage: Language;
  /** `stats` in a support channel. */
  dashboard: Dashboard;
  /** A channel was registered: tickets waiting for one can go now. */
  onChannelRegistered: () => void;
  /** My tickets, queue, end, and the global commands, from content/commands.json. */
  commands: CommandWords;
  now?: () => Date;
}

export type Handled = 'handled' | 'notMine';

export const REGISTER = /^(?:register support channel|サポートチャネル(?:を|に)?登録)(?:\s+(\S+))?$/i;

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
