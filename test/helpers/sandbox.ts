import type { Logger } from '../../bot/logger';
import { GraphDirectory, type GraphDirectoryOptions } from '../../bot/directory/graphDirectory';
import { SandboxGraphServer, type SandboxChannelMessage } from '../../sandbox/sandboxGraphServer';
import { silentLogger } from '../../bot/logger';

/** Playground/sandbox users (see .m365agentsplayground.yml and sandbox/README.md). */
export const SANDBOX_USERS = {
  e3: '1a000000-0000-4000-8000-000000000001',
  businessPremium: '1a000000-0000-4000-8000-000000000002',
  businessBasic: '1a000000-0000-4000-8000-000000000003',
  officeDisabled: '1a000000-0000-4000-8000-000000000004',
  countViolation: '1a000000-0000-4000-8000-000000000005',
  usageLocation: '1a000000-0000-4000-8000-000000000006',
  subscriptionWarning: '1a000000-0000-4000-8000-000000000007',
  subscriptionSuspended: '1a000000-0000-4000-8000-000000000008',
  disabledAccount: '1a000000-0000-4000-8000-000000000009',
  noLicence: '1a000000-0000-4000-8000-00000000000a',
  guest: '1a000000-0000-4000-8000-00000000000b',
  helpdeskAdmin: '1a000000-0000-4000-8000-00000000000c',
  globalAdmin: '1a000000-0000-4000-8000-00000000000d',
} as const;

/** Not in the Playground: 佐藤 一郎, E3, with Microsoft 365 Apps on 4 Windows PCs and 1 Mac (the install limit). */
export const INSTALL_LIMIT_USER = {
  id: '1a000000-0000-4000-8000-000000000101',
  userPrincipalName: 'ichiro.sato@contoso.example',
} as const;

/**
 * A sandbox tenant on loopback and a GraphDirectory pointed at it, with a fake clock: Retry-After waits
 * advance the clock instead of sleeping, so fault tests run in milliseconds.
 */
export class SandboxFixture {
  sandbox!: SandboxGraphServer;
  directory!: GraphDirectory;
  /** Every wait the directory asked for, in ms. */
  readonly sleeps: number[] = [];
  private offset = 0;

  async start(options: { attemptTimeoutMs?: number; operationBudgetMs?: number } = {}): Promise<this> {
    this.sandbox = await SandboxGraphServer.start({ port: 0 });
    this.directory = this.newDirectory(options);
    return this;
  }

  /** A fresh directory (cold caches) on the same sandbox. */
  newDirectory(
    options: { attemptTimeoutMs?: number; operationBudgetMs?: number; logger?: Logger } & Pick<
      GraphDirectoryOptions,
      'authProvider' | 'cacheTtlMs' | 'telemetry'
    > = {},
  ): GraphDirectory {
    return new GraphDirectory({
      baseUrl: this.sandbox.url,
      authProvider: options.authProvider,
      cacheTtlMs: options.cacheTtlMs,
      telemetry: options.telemetry,
      logger: options.logger ?? silentLogger,
      now: () => Date.now() + this.offset,
      sleep: async (ms) => {
        this.sleeps.push(ms);
        this.offset += ms;
      },
      attemptTimeoutMs: options.attemptTimeoutMs ?? 2000,
      operationBudgetMs: options.operationBudgetMs ?? 8000,
    });
  }

  /** Moves the directories' clock on (cache expiry) without waiting. */
  advance(ms: number): void {
    this.offset += ms;
  }

  /** Requests the sandbox saw, as raw path+query, minus the control API. */
  get paths(): string[] {
    return this.sandbox.requests
      .filter((r) => !r.path.startsWith('/_sandbox'))
      .map((r) => `${r.method} ${r.path}`);
  }

  /** Like `paths`, with each $batch part listed as `GET <url>` after its batch (what Graph really resolves). */
  get urls(): string[] {
    return this.sandbox.requests
      .filter((r) => !r.path.startsWith('/_sandbox'))
      .flatMap((r) => {
        const line = `${r.method} ${r.path}`;
        if (!r.path.startsWith('/v1.0/$batch') || !r.body) return [line];
        const parts = (JSON.parse(r.body) as { requests: { method: string; url: string }[] }).requests;
        return [line, ...parts.map((p) => `${p.method} /v1.0${p.url}`)];
      });
  }

  reset(): void {
    this.sandbox.clearRequests();
    this.sandbox.clearFaults();
    this.sandbox.concealReportNames(false);
    this.sandbox.overrideActivationsReport(undefined);
    this.sleeps.splice(0);
  }

  async stop(): Promise<void> {
    await this.sandbox?.close();
  }
}

/** A bot's new channel thread as Graph's channel messages show it (cards as JSON strings, as Graph returns them). */
export function channelMessageOf(
  thread: { activityId: string; activity: Record<string, unknown> },
  botAppId = '00000000-0000-0000-0000-000000000000',
): SandboxChannelMessage {
  const now = new Date().toISOString();
  const attachments = (thread.activity.attachments as { contentType: string; content: unknown }[]) ?? [];
  return {
    id: thread.activityId,
    createdDateTime: now,
    lastModifiedDateTime: now,
    deletedDateTime: null,
    messageType: 'message',
    from: { application: { id: botAppId, displayName: 'Sign-in Desk' } },
    attachments: attachments.map((a, i) => ({
      id: `${thread.activityId}-${i}`,
      contentType: a.contentType,
      content: JSON.stringify(a.content),
    })),
  };
}
