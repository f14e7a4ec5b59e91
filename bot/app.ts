import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Storage } from 'botbuilder';
import type { ContentCatalog } from '../core/content/catalog';
import type { Directory } from '../core/licensing/directory';
import type { ProductCatalog } from '../core/licensing/productCatalog';
import type { Understanding } from '../core/intent/intentModel';
import type { AppConfig } from './config';
import { createBot, type TicketParts } from './createBot';
import { TeamsMessenger } from './tickets/teamsMessenger';
import type { ChannelPostFinder } from './tickets/channelPostFinder';
import type { Telemetry } from './telemetry';
import { TicketOutbox, type TicketOutboxOptions } from './tickets/ticketOutbox';
import type { Logger } from './logger';
import type { StorageStats } from './stats/storageStats';
import { createServer, type BotServer } from './server';
import { AuthenticatedAdapter } from './authenticatedAdapter';

type BotFrameworkAuthentication = NonNullable<ConstructorParameters<typeof CloudAdapter>[0]>;

export interface AppDeps {
  config: AppConfig;
  storage: Storage;
  catalog: ContentCatalog;
  logger: Logger;
  directory: Directory;
  /** Graph's view of the support channels, to find a card whose post was cut short. */
  channelPosts?: ChannelPostFinder;
  /** OpenTelemetry, when APPLICATIONINSIGHTS_CONNECTION_STRING is set. */
  telemetry?: Telemetry;
  products: ProductCatalog;
  understanding: Understanding;
  /** Tests pass one that trusts a loopback JWKS; production builds it from config. */
  botFrameworkAuthentication?: BotFrameworkAuthentication;
  /** Tests shorten the outbox's backoff and move its clock. */
  outbox?: Pick<TicketOutboxOptions, 'backoff' | 'random' | 'noChannelRetryMs' | 'leaseMs' | 'limiter'>;
  now?: () => Date;
}

export interface App {
  adapter: CloudAdapter;
  server: BotServer;
  /** Delivers tickets' cards and messages; started by createApp, stopped with the server. */
  outbox: TicketOutbox;
  tickets: TicketParts;
  /** The dashboard's daily counts. */
  stats: StorageStats;
}

export function botFrameworkAuthenticationFor(config: AppConfig): BotFrameworkAuthentication {
  // With no app id the SDK disables authentication; MultiTenant then avoids SingleTenant's tenant assertion.
  const auth = config.authenticated ? config.botAuth : { ...config.botAuth, MicrosoftAppType: 'MultiTenant' };
  return new ConfigurationBotFrameworkAuthentication(auth);
}

/** The whole bot behind its HTTP server, the same in production and in HTTP-level tests. */
export function createApp(deps: AppDeps): App {
  const adapter = new AuthenticatedAdapter(
    deps.botFrameworkAuthentication ?? botFrameworkAuthenticationFor(deps.config),
  );
  const parts = createBot({
    storage: deps.storage,
    catalog: deps.catalog,
    logger: deps.logger,
    allowedTenantIds: deps.config.allowedTenantIds,
    publicBaseUrl: deps.config.publicBaseUrl,
    directory: deps.directory,
    products: deps.products,
    understanding: deps.understanding,
    adminGroupId: deps.config.adminGroupId,
    support: deps.config.support,
    telemetry: deps.telemetry,
    now: deps.now,
  });
  for (const middleware of parts.middleware) adapter.use(middleware);
  adapter.onTurnError = parts.onTurnError;
  const outbox = new TicketOutbox({
    repository: parts.tickets.repository,
    channels: parts.tickets.channels,
    addresses: parts.tickets.addresses,
    messenger: new TeamsMessenger(adapter, deps.config.botAuth.MicrosoftAppId, deps.logger),
    views: parts.tickets.views,
    logger: deps.logger,
    supportLanguage: deps.config.support.language,
    postFinder: deps.channelPosts,
    telemetry: deps.telemetry,
    now: deps.now,
    ...deps.outbox,
  });
  parts.tickets.attachOutbox(outbox);
  const server = createServer({
    adapter,
    runTurn: (context) => parts.bot.run(context),
    catalog: deps.catalog,
    logger: deps.logger,
    attachments: parts.tickets.attachments,
    readiness: {
      storage: () => deps.storage.read(['signin-desk/readiness-probe']),
      graph: () => deps.directory.listSubscribedSkus(),
    },
    onClose: async () => {
      await outbox.stop();
      await parts.stats.flush();
    },
  });
  // Whatever an earlier run left undelivered goes out now.
  void outbox
    .start()
    .catch((error: Error) => deps.logger.error('ticket outbox could not start', { error: error.message }));
  return { adapter, server, outbox, tickets: parts.tickets, stats: parts.stats };
}
