import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import type { Logger } from '../../bot/logger';
import type { ChannelPostFinder } from '../../bot/tickets/channelPostFinder';
import { SqliteStorage } from '../../bot/storage/sqliteStorage';
import type { Directory } from '../../core/licensing/directory';
import type { Ticket } from '../../core/tickets/ticket';
import { FakeConnector, postActivity } from '../helpers/fakeConnector';
import { testAppDeps } from '../helpers/testBot';

export const TENANT = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
export const SUPPORT_CHANNEL = '19:support-desk@thread.tacv2';
/** The support team's Microsoft 365 group id, as Teams sends it in channelData.team.aadGroupId. */
export const TEAM_GROUP_ID = '0f0e0d0c-0b0a-4909-8807-060504030201';
export const BOT = { id: '28:sign-in-desk', name: 'Sign-in Desk' };
export const HANAKO = {
  id: '29:hanako',
  name: '佐藤 花子',
  aadObjectId: '1a000000-0000-4000-8000-000000000001',
};
export const SAKURA = {
  id: '29:sakura',
  name: '森 さくら',
  aadObjectId: '1a000000-0000-4000-8000-00000000000c',
};
export const KEN = { id: '29:ken', name: '田中 健', aadObjectId: '1a000000-0000-4000-8000-000000000004' };
export const PERSONAL = (user: { id: string }) => `a:personal-${user.id}`;

type Person = typeof HANAKO;

/**
 * The whole bot (restify + CloudAdapter + SQLite) against a loopback fake Bot Connector that records what was
 * posted where. Proactive messages and channel posts go to the connector like in Teams.
 */
export class TicketHarness {
  connector!: FakeConnector;
  app!: App;
  storage!: SqliteStorage;
  botUrl = '';
  dataDir = '';

  constructor(
    private readonly options: {
      env?: Record<string, string>;
      directory?: Directory;
      channelPosts?: ChannelPostFinder;
      logger?: Logger;
    } = {},
  ) {}

  async start(reuse?: { connector: FakeConnector; dataDir: string }): Promise<this> {
    this.connector = reuse?.connector ?? (await new FakeConnector().start());
    this.dataDir = reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'signin-desk-tickets-'));
    this.storage = new SqliteStorage(join(this.dataDir, 'state.sqlite'));
    this.app = createApp({
      config: loadConfig({
        DATA_DIR: this.dataDir,
        SUPPORT_CHANNEL_ID: SUPPORT_CHANNEL,
        ...this.options.env,
      }),
      storage: this.storage,
      ...testAppDeps(),
      ...(this.options.logger ? { logger: this.options.logger } : {}),
      ...(this.options.directory ? { directory: this.options.directory } : {}),
      channelPosts: this.options.channelPosts,
      outbox: { backoff: { baseMs: 20, maxMs: 200 }, leaseMs: 300, noChannelRetryMs: 100 },
    });
    const address = await this.app.server.listen(0, '127.0.0.1');
    this.botUrl = `http://127.0.0.1:${address.port}`;
    return this;
  }

  /** Stops the bot as a restart would: the connector and the data stay. */
  async stopBot(): Promise<void> {
    await this.app.server.close(1000);
    this.storage.close();
  }

  async stop(): Promise<void> {
    await this.stopBot();
    await this.connector.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private base(
    user: Person,
    conversation: Record<string, unknown>,
    channelData: Record<string, unknown> = {},
  ) {
    return {
      channelId: 'msteams',
      serviceUrl: this.connector.url + '/',
      locale: 'ja-JP',
      from: user,
      recipient: BOT,
      conversation: { tenantId: TENANT, ...conversation },
      channelData: { tenant: { id: TENANT }, ...channelData },
    };
  }

  /** The user writes (or clicks an Action.Submit) in their personal chat with the bot. */
  async userSays(
    user: Person,
    text: string,
    extra: { value?: Record<string, unknown>; attachments?: unknown[] } = {},
  ): Promise<void> {
    const response = await postActivity(this.botUrl, {
      type: 'message',
      id: `m-${Math.random().toString(36).slice(2)}`,
      text,
      ...extra,
      ...this.base(user, { id: PERSONAL(user), conversationType: 'personal' }),
    });
    if (response.status !== 200) throw new Error(`bot answered ${response.status}`);
  }

  /** The escalation from start to Send: ask for a person, the form, a screenshot (or none), confirm. */
  async escalate(user: Person, details: Record<string, string>, screenshots?: unknown[]): Promise<void> {
    await this.userSays(user, '担当者と話したい');
    await this.userClicks(user, { action: 'ticket.details', ...details });
    if (screenshots) await this.userSays(user, '', { attachments: screenshots });
    else await this.userClicks(user, { action: 'ticket.screenshot', choice: 'none' });
    await this.userClicks(user, { action: 'ticket.confirm', choice: 'send' });
  }

  userClicks(user: Person, value: Record<string, unknown>): Promise<void> {
    return this.userSays(user, '', { value });
  }

  /** Someone writes in a channel (or a ticket's thread), mentioning the bot. */
  async channelSays(
    user: Person,
    conversationId: string,
    text: string,
    attachments?: unknown[],
  ): Promise<number> {
    const response = await postActivity(this.botUrl, {
      type: 'message',
      id: `m-${Math.random().toString(36).slice(2)}`,
      text: `<at>Sign-in Desk</at> ${text}`,
      entities: [{ type: 'mention', text: '<at>Sign-in Desk</at>', mentioned: BOT }],
      ...(attachments ? { attachments } : {}),
      ...this.base(
        user,
        { id: conversationId, conversationType: 'channel', isGroup: true },
        {
          team: { id: 'team-it-support', aadGroupId: TEAM_GROUP_ID },
          channel: { id: conversationId.split(';')[0] },
        },
      ),
    });
    return response.status;
  }

  /** A message (mentioning the bot) or a card submit in a group chat. */
  async groupSays(
    user: Person,
    groupId: string,
    text: string,
    value?: Record<string, unknown>,
  ): Promise<void> {
    await postActivity(this.botUrl, {
      type: 'message',
      id: `m-${Math.random().toString(36).slice(2)}`,
      text: value ? '' : `<at>Sign-in Desk</at> ${text}`,
      ...(value
        ? { value }
        : { entities: [{ type: 'mention', text: '<at>Sign-in Desk</at>', mentioned: BOT }] }),
      ...this.base(user, { id: groupId, conversationType: 'groupChat', isGroup: true }),
    });
  }

  /** Presses a Universal Action (Action.Execute) on a card, in the given conversation. */
  async execute(
    user: Person,
    conversationId: string,
    verb: string,
    data: Record<string, unknown>,
  ): Promise<{ status: number; body: { statusCode?: number; type?: string; value?: unknown } }> {
    const response = await postActivity(this.botUrl, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: `i-${Math.random().toString(36).slice(2)}`,
      value: { action: { type: 'Action.Execute', verb, data: { ...data, verb } } },
      ...this.base(
        user,
        {
          id: conversationId,
          conversationType: conversationId.startsWith('a:') ? 'personal' : 'channel',
          isGroup: !conversationId.startsWith('a:'),
        },
        { channel: { id: conversationId.split(';')[0] } },
      ),
    });
    return { status: response.status, body: response.body ? JSON.parse(response.body) : {} };
  }

  ticket(number: number): Promise<Ticket | undefined> {
    return this.app.tickets.desk.get(number);
  }

  /** Waits until the outbox has delivered everything (or the condition holds). */
  async settled(number: number, timeoutMs = 5000): Promise<Ticket> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.app.outbox.idle();
      const ticket = await this.ticket(number);
      if (ticket && ticket.outbox.length === 0) return ticket;
      if (Date.now() > deadline)
        throw new Error(`ticket ${number} still has ${ticket?.outbox.length} items pending`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Every string anywhere in a posted activity (texts, card texts, facts). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

export const mentions = (activity: unknown, text: string): boolean =>
  stringsIn(activity).some((s) => s.includes(text));
