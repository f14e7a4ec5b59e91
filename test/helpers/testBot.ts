import { join } from 'node:path';
import { MemoryStorage, TestAdapter, type Activity, type Storage } from 'botbuilder';
import { type BotDeps, createBot, type BotParts } from '../../bot/createBot';
import { silentLogger, type Logger } from '../../bot/logger';
import { projectRoot } from '../../bot/paths';
import { ContentCatalog } from '../../core/content/catalog';
import { DirectoryError, type Directory } from '../../core/licensing/directory';
import { ProductCatalog } from '../../core/licensing/productCatalog';
import { loadUnderstanding } from '../../core/intent/intentModel';

export const TENANT_ID = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
export const BOT = { id: '28:sign-in-desk', name: 'Sign-in Desk' };

let cachedCatalog: ContentCatalog | undefined;
export function loadCatalog(): ContentCatalog {
  return (cachedCatalog ??= ContentCatalog.load(join(projectRoot(), 'content')));
}

let cachedProducts: ProductCatalog | undefined;
export function loadProducts(): ProductCatalog {
  return (cachedProducts ??= ProductCatalog.load(join(projectRoot(), 'content', 'licensing')));
}

/** A directory that is down: every call fails the way an unreachable Graph does. */
export const unreachableDirectory: Directory = new Proxy({} as Directory, {
  get: () => async () => {
    throw new DirectoryError('unavailable', 'Graph is unreachable (test double)');
  },
});

let cachedUnderstanding: ReturnType<typeof loadUnderstanding> | undefined;
export function loadUnderstandingOnce(): ReturnType<typeof loadUnderstanding> {
  return (cachedUnderstanding ??= loadUnderstanding(join(projectRoot(), 'content')));
}

/**
 * What every HTTP-level test gives createApp besides config and storage: the real content, a silent log, and a
 * directory that cannot be reached (tests that need Graph pass their own).
 */
export function testAppDeps() {
  return {
    catalog: loadCatalog(),
    logger: silentLogger,
    directory: unreachableDirectory as Directory,
    understanding: loadUnderstandingOnce(),
    products: loadProducts(),
  };
}

export interface TestBot {
  adapter: TestAdapter;
  parts: BotParts;
  catalog: ContentCatalog;
}

/** The production bot logic (middleware, dialogs, error boundary) on botbuilder's TestAdapter. */
export function createTestBot(
  options: {
    storage?: Storage;
    allowedTenantIds?: string[];
    logger?: Logger;
    directory?: Directory;
    adminGroupId?: string;
    telemetry?: BotDeps['telemetry'];
  } = {},
): TestBot {
  const catalog = loadCatalog();
  const parts = createBot({
    storage: options.storage ?? new MemoryStorage(),
    catalog,
    logger: options.logger ?? silentLogger,
    allowedTenantIds: options.allowedTenantIds ?? [],
    publicBaseUrl: 'http://localhost:3978',
    directory: options.directory ?? unreachableDirectory,
    products: loadProducts(),
    understanding: loadUnderstandingOnce(),
    adminGroupId: options.adminGroupId,
    support: { channels: { byCategory: {} }, language: 'ja', timeZone: 'Asia/Tokyo', statsRetentionDays: 90 },
    telemetry: options.telemetry,
  });
  const adapter = new TestAdapter((context) => parts.bot.run(context));
  for (const middleware of parts.middleware) adapter.use(middleware);
  adapter.onTurnError = parts.onTurnError;
  return { adapter, parts, catalog };
}

export interface ConversationOptions {
  locale?: string;
  conversationType?: 'personal' | 'groupChat' | 'channel';
  conversationId?: string;
  user?: { id: string; name: string; aadObjectId?: string };
  tenantId?: string;
}

export type CardContent = Record<string, unknown> & { body?: unknown[]; actions?: unknown[] };

/** One user in one conversation, sending activities and collecting what the bot sent back in that turn. */
export class TestConversation {
  readonly locale: string;
  readonly conversationType: string;
  readonly conversationId: string;
  readonly user: { id: string; name: string; aadObjectId?: string };
  readonly tenantId: string;

  constructor(
    private readonly adapter: TestAdapter,
    options: ConversationOptions = {},
  ) {
    this.locale = options.locale ?? 'ja-JP';
    this.conversationType = options.conversationType ?? 'personal';
    this.conversationId = options.conversationId ?? `conv-${this.conversationType}`;
    this.user = options.user ?? {
      id: '29:user-1',
      name: '佐藤 花子',
      aadObjectId: '1a000000-0000-4000-8000-000000000001',
    };
    this.tenantId = options.tenantId ?? TENANT_ID;
  }

  async send(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    this.adapter.activeQueue.splice(0);
    await this.adapter.processActivity({
      type: 'message',
      channelId: 'msteams',
      locale: this.locale,
      from: { ...this.user },
      recipient: { ...BOT },
      conversation: {
        id: this.conversationId,
        conversationType: this.conversationType,
        tenantId: this.tenantId,
        isGroup: this.conversationType !== 'personal',
        name: '',
      },
      channelData: { tenant: { id: this.tenantId } },
      serviceUrl: 'https://smba.example/',
      ...activity,
    } as Partial<Activity>);
    return this.adapter.activeQueue.splice(0);
  }

  say(text: string): Promise<Partial<Activity>[]> {
    return this.send({ text });
  }

  /** What Teams sends for an Action.Submit: a message whose value is the button's data. */
  click(data: Record<string, unknown>, inputs: Record<string, string> = {}): Promise<Partial<Activity>[]> {
    return this.send({ text: '', value: { ...data, ...inputs } });
  }

  /** A group chat or channel message that @mentions the bot, as Teams delivers it. */
  mention(text: string): Promise<Partial<Activity>[]> {
    const mentionText = `<at>${BOT.name}</at>`;
    return this.send({
      text: `${mentionText} ${text}`,
      entities: [{ type: 'mention', text: mentionText, mentioned: { ...BOT } }],
    });
  }
}

export function cardsOf(replies: Partial<Activity>[]): CardContent[] {
  return replies.flatMap((r) =>
    (r.attachments ?? [])
      .filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')
      .map((a) => a.content as CardContent),
  );
}

export function textsOf(replies: Partial<Activity>[]): string[] {
  return replies.filter((r) => r.type === 'message' && r.text).map((r) => r.text as string);
}

/** Every string in a card, for "does this content reach the user" assertions. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

export interface CardNode {
  [key: string]: unknown;
}

/** Every object in a card, depth first (fallbacks and show-cards included). */
export function nodesOf(value: unknown): CardNode[] {
  if (Array.isArray(value)) return value.flatMap(nodesOf);
  if (value && typeof value === 'object')
    return [value as CardNode, ...Object.values(value).flatMap(nodesOf)];
  return [];
}

/** The data of every Action.Submit in a card, wherever it sits (card actions or ActionSets). */
export function submitDataOf(card: CardContent): Record<string, string>[] {
  return nodesOf(card)
    .filter((node) => node.type === 'Action.Submit' && node.data)
    .map((node) => node.data as Record<string, string>);
}

export function lastCard(replies: Partial<Activity>[]): CardContent {
  const cards = cardsOf(replies);
  if (cards.length === 0)
    throw new Error(`Expected a card, got: ${JSON.stringify(replies.map((r) => r.text ?? r.type))}`);
  return cards[cards.length - 1];
}

/** The button whose data matches, e.g. { action: 'diagnosis.step', outcome: 'done' }. */
export function button(card: CardContent, match: Record<string, string>): Record<string, string> {
  const data = submitDataOf(card).find((d) => Object.entries(match).every(([k, v]) => d[k] === v));
  if (!data)
    throw new Error(`No button ${JSON.stringify(match)} in card: ${JSON.stringify(submitDataOf(card))}`);
  return data;
}

export function codeBlocksOf(
  card: CardContent,
): { codeSnippet: string; language: string; fallback: unknown }[] {
  return nodesOf(card).filter((node) => node.type === 'CodeBlock') as never;
}
