import {
  ConversationState,
  PrivateConversationState,
  type Middleware,
  type Storage,
  type TurnContext,
} from 'botbuilder';
import { AdminAccess } from '../core/admin/adminAccess';
import type { ContentCatalog } from '../core/content/catalog';
import type { Directory } from '../core/licensing/directory';
import { OfficeInstallLimit } from '../core/licensing/officeInstallLimit';
import { LicenceChecker } from '../core/licensing/licenceChecker';
import type { ProductCatalog } from '../core/licensing/productCatalog';
import { AdminCommands } from './handlers/adminCommands';
import { LicenceViews } from '../views/licenceViews';
import { StorageAuditLog } from './storage/storageAuditLog';
import { DiagnosisViews } from '../views/diagnosisViews';
import { MainDialog } from '../dialogs/mainDialog';
import type { Understanding } from '../core/intent/intentModel';
import { ShowTypingMiddleware, TeamsInfo } from 'botbuilder';
import { createTurnErrorHandler } from './errorBoundary';
import { LanguageMiddleware } from './languageMiddleware';
import type { Logger } from './logger';
import { SigninDeskBot } from './signinDeskBot';
import { HoldRepliesUntilSaved } from './holdRepliesUntilSaved';
import { TenantGuard } from './tenantGuard';
import { TurnSerializer } from './turnSerializer';
import type { SupportConfig } from './config';
import { TicketDesk } from '../core/tickets/ticketDesk';
import { isActive, type Attachment, type Person, type TicketCategory } from '../core/tickets/ticket';
import type { TicketDraft } from '../core/tickets/ticketRules';
import { RequesterTickets } from './handlers/requesterTickets';
import { SupportChannelTurns } from './handlers/supportChannelTurns';
import { TicketCardActions } from './handlers/ticketCardActions';
import type { TicketHandlerDeps } from './handlers/ticketHandlerDeps';
import { TicketViews } from '../views/ticketViews';
import { AddressBook } from './tickets/addressBook';
import { AttachmentKeeper } from './tickets/attachmentKeeper';
import { StorageTicketRepository } from './tickets/storageTicketRepository';
import { SupportChannels } from './tickets/supportChannels';
import { StorageStats } from './stats/storageStats';
import type { Dashboard } from './stats/dashboard';
import { StatsViews } from '../views/statsViews';
import { allOf } from '../core/stats/helpDeskEvents';
import type { Telemetry } from './telemetry';

export interface BotDeps {
  storage: Storage;
  catalog: ContentCatalog;
  logger: Logger;
  allowedTenantIds: readonly string[];
  publicBaseUrl: string;
  directory: Directory;
  products: ProductCatalog;
  adminGroupId?: string;
  /** The intent recogniser and the error-code table, for free text. */
  understanding: Understanding;
  support: SupportConfig;
  /** OpenTelemetry: help-desk events next to the dashboard's own counts, and turns by route. */
  telemetry?: Pick<Telemetry, 'record' | 'turn'>;
  /** The clock of ticket times; tests move it. */
  now?: () => Date;
}

/** The help desk's parts: the outbox is attached later, by whoever owns an adapter that can send proactively. */
export interface TicketParts {
  desk: TicketDesk;
  repository: StorageTicketRepository;
  channels: SupportChannels;
  addresses: AddressBook;
  views: TicketViews;
  attachments: AttachmentKeeper;
  attachOutbox(outbox: { kick(number: number): void; kickAll(): Promise<void> }): void;
}

export interface BotParts {
  bot: SigninDeskBot;
  /** The dashboard's daily counts. */
  stats: StorageStats;
  /** In order: the tenant check runs before anything else sees the activity, even state. */
  middleware: Middleware[];
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
  tickets: TicketParts;
}

/** Builds the bot's logic for any adapter: CloudAdapter in production, TestAdapter in dialog tests. */
export function createBot(deps: BotDeps): BotParts {
  const conversationState = new ConversationState(deps.storage);
  const userInConversationState = new PrivateConversationState(deps.storage);
  const views = new DiagnosisViews(deps.catalog, deps.publicBaseUrl, deps.understanding.commands);
  const licenceViews = new LicenceViews(deps.catalog, deps.products);
  const checker = new LicenceChecker(deps.directory, deps.products);
  const installLimit = new OfficeInstallLimit(deps.directory);
  const access = new AdminAccess(deps.directory, deps.adminGroupId);

  let outbox: { kick(number: number): void; kickAll(): Promise<void> } | undefined;
  const repository = new StorageTicketRepository(deps.storage);
  const now = deps.now ?? (() => new Date());
  const stats = new StorageStats({
    storage: deps.storage,
    logger: deps.logger,
    timeZone: deps.support.timeZone,
    retentionDays: deps.support.statsRetentionDays,
    now,
  });
  const events = deps.telemetry ? allOf(stats, deps.telemetry) : stats;
  const dashboard: Dashboard = { stats, views: new StatsViews(deps.catalog, views), logger: deps.logger };
  const desk = new TicketDesk(repository, now, (ticket) => outbox?.kick(ticket.number), events);
  const channels = new SupportChannels(deps.storage, deps.support.channels);
  const addresses = new AddressBook(deps.storage);
  const ticketViews = new TicketViews(views, deps.support.timeZone);
  const attachments = new AttachmentKeeper(deps.storage, deps.publicBaseUrl, deps.logger);
  const intake = {
    open: (draft: TicketDraft, key: string) => desk.openOnce(draft, key),
    hasSupportChannel: async (category: TicketCategory) => !!(await channels.channelFor(category)),
    keepAttachments: (context: TurnContext, links: Attachment[]) => attachments.keep(context, links),
    activeTicketsOf: async (person: Person) => (await desk.ticketsOf(person)).filter(isActive),
    upnOf: async (context: TurnContext) => {
      try {
        const member = await TeamsInfo.getMember(context, context.activity.from?.id ?? '');
        return (member.userPrincipalName || member.email || undefined)?.slice(0, 256);
      } catch (error) {
        deps.logger.debug("Teams did not give the requester's UPN; the card shows the name only", {
          error: (error as Error).name,
        });
        return undefined;
      }
    },
  };
  const ticketDeps: TicketHandlerDeps = {
    desk,
    channels,
    addresses,
    access,
    views: ticketViews,
    attachments,
    supportLanguage: deps.support.language,
    onChannelRegistered: () =>
      void outbox
        ?.kickAll()
        .catch((error: Error) =>
          deps.logger.error('could not send the tickets waiting for a channel', { error: error.message }),
        ),
    commands: deps.understanding.commands,
    dashboard,
    now,
  };
  const tickets = {
    requester: new RequesterTickets(ticketDeps),
    supportChannel: new SupportChannelTurns(ticketDeps),
    cardActions: new TicketCardActions(ticketDeps),
  };

  const bot = new SigninDeskBot({
    conversationState,
    userInConversationState,
    mainDialog: new MainDialog(
      views,
      licenceViews,
      checker,
      deps.understanding,
      ticketViews,
      intake,
      events,
      installLimit,
    ),
    tickets,
    adminCommands: new AdminCommands({
      directory: deps.directory,
      checker,
      access,
      audit: new StorageAuditLog(deps.storage),
      views: licenceViews,
      dashboard,
    }),
    views,
    understanding: deps.understanding,
    logger: deps.logger,
    onRouted: deps.telemetry ? (route, flow) => deps.telemetry!.turn(route, flow) : undefined,
  });
  return {
    bot,
    middleware: [
      new TenantGuard(deps.allowedTenantIds, deps.catalog, deps.logger),
      new TurnSerializer(),
      new HoldRepliesUntilSaved(),
      new LanguageMiddleware(userInConversationState),
      // Shows "typing…" when a turn takes longer than half a second (Graph calls, long cards).
      new ShowTypingMiddleware(500, 2000),
    ],
    onTurnError: createTurnErrorHandler({
      catalog: deps.catalog,
      logger: deps.logger,
      userInConversationState,
    }),
    stats,
    tickets: {
      desk,
      repository,
      channels,
      addresses,
      views: ticketViews,
      attachments,
      attachOutbox: (attached) => {
        outbox = attached;
      },
    },
  };
}
