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
import { LicenceChecker } from '../core/licensing/licenceChecker';
import type { ProductCatalog } from '../core/licensing/productCatalog';
import { AdminCommands } from '../dialogs/adminCommands';
import { LicenceViews } from '../dialogs/licenceViews';
import { StorageAuditLog } from './storage/storageAuditLog';
import { DiagnosisViews } from '../dialogs/diagnosisViews';
import { MainDialog, type Understanding } from '../dialogs/mainDialog';
import { ShowTypingMiddleware } from 'botbuilder';
import { createTurnErrorHandler } from './errorBoundary';
import { LanguageMiddleware } from './languageMiddleware';
import type { Logger } from './logger';
import { SigninDeskBot } from './signinDeskBot';
import { TenantGuard } from './tenantGuard';
import { TurnSerializer } from './turnSerializer';

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
}

export interface BotParts {
  bot: SigninDeskBot;
  /** In order: the tenant check runs before anything else sees the activity, even state. */
  middleware: Middleware[];
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
}

/** Builds the bot's logic for any adapter: CloudAdapter in production, TestAdapter in dialog tests. */
export function createBot(deps: BotDeps): BotParts {
  const conversationState = new ConversationState(deps.storage);
  const userInConversationState = new PrivateConversationState(deps.storage);
  const views = new DiagnosisViews(deps.catalog, deps.publicBaseUrl);
  const licenceViews = new LicenceViews(deps.catalog, deps.products);
  const checker = new LicenceChecker(deps.directory, deps.products);
  const bot = new SigninDeskBot({
    conversationState,
    userInConversationState,
    mainDialog: new MainDialog(views, licenceViews, checker, deps.understanding),
    adminCommands: new AdminCommands({
      directory: deps.directory,
      checker,
      access: new AdminAccess(deps.directory, deps.adminGroupId),
      audit: new StorageAuditLog(deps.storage),
      views: licenceViews,
    }),
    views,
    logger: deps.logger,
  });
  return {
    bot,
    middleware: [
      new TenantGuard(deps.allowedTenantIds, deps.catalog, deps.logger),
      new TurnSerializer(),
      new LanguageMiddleware(userInConversationState),
      // Shows "typing…" when a turn takes longer than half a second (Graph calls, long cards).
      new ShowTypingMiddleware(500, 2000),
    ],
    onTurnError: createTurnErrorHandler({
      catalog: deps.catalog,
      logger: deps.logger,
      userInConversationState,
    }),
  };
}
