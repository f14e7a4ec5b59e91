import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { parse, stringify } from 'yaml';
import { createApp, type App, type AppDeps } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { projectRoot } from '../../bot/paths';
import { SqliteStorage } from '../../bot/storage/sqliteStorage';
import { freePort } from './ports';
import { testAppDeps } from './testBot';

/**
 * The real server with the Microsoft 365 Agents Playground (the client `npm start` opens) pointed at it, for
 * tests that drive the Playground's own HTTP API or its UI in a browser. That API is internal to the Playground,
 * so its version is pinned in package.json.
 */
const PLAYGROUND_CLI = join(projectRoot(), 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');

/** Polls `probe` until it returns something, or fails naming `what`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A message the bot sent (in a turn or proactively), where, and the id the Playground gave it. */
export interface SentActivity {
  activity: Partial<Activity>;
  conversation: string;
  id: string;
}

/** The bot in this process on a free loopback port, with in-memory storage and a throwaway DATA_DIR. */
export interface BotRun {
  app: App;
  port: number;
  /** Everything the bot sent, in order. */
  sent: SentActivity[];
  stop(): Promise<void>;
}

/**
 * Starts the bot. `deps` replaces the test defaults (an unreachable Graph, the real content, a silent log), for
 * example `{ directory }` for the sandbox tenant.
 */
export async function startBot(
  env: Record<string, string> = {},
  deps: Partial<AppDeps> = {},
): Promise<BotRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signin-desk-data-'));
  const app = createApp({
    config: loadConfig({ DATA_DIR: dataDir, ...env }),
    storage: new SqliteStorage(':memory:'),
    ...testAppDeps(),
    ...deps,
  });
  const sent: SentActivity[] = [];
  app.adapter.use(async (context, next) => {
    context.onSendActivities(async (ctx, activities, sendNext) => {
      const responses = await sendNext();
      activities.forEach((activity, i) =>
        sent.push({
          activity,
          conversation: activity.conversation?.id ?? ctx.activity.conversation?.id ?? '',
          id: responses[i]?.id ?? '',
        }),
      );
      return responses;
    });
    await next();
  });
  const port = (await app.server.listen(0, '127.0.0.1')).port;
  return {
    app,
    port,
    sent,
    async stop() {
      await app.server.close(1000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface PlaygroundOptions {
  /**
   * Who the Playground signs in as: the id of one of `users` in .m365agentsplayground.yml (e.g. 'user-id-12',
   * the IT admin). The yml's currentUser takes that user's place in the list.
   */
  currentUser?: string;
  /**
   * The personal chat's conversation id. Give each Playground pointed at the same bot its own, or the bot sees
   * one conversation (one dialog, one language) shared by two people.
   */
  personalChatId?: string;
}

/** A Playground process on a free loopback port, with its own copy of the yml. */
export interface PlaygroundServer {
  url: string;
  /** POSTs JSON to the Playground and returns its answer's body; fails the test on an error status. */
  post(path: string, body: unknown): Promise<string>;
  stop(): Promise<void>;
}

interface PlaygroundUser {
  id: string;
  [field: string]: unknown;
}

/** .m365agentsplayground.yml with the options applied. */
function playgroundConfig(options: PlaygroundOptions): string {
  const source = readFileSync(join(projectRoot(), '.m365agentsplayground.yml'), 'utf8');
  if (!options.currentUser && !options.personalChatId) return source;
  const config = parse(source) as {
    currentUser: PlaygroundUser;
    users: PlaygroundUser[];
    personalChat: { id: string };
  };
  if (options.currentUser) {
    const index = config.users.findIndex((user) => user.id === options.currentUser);
    assert.ok(index >= 0, `${options.currentUser} is not one of the users in .m365agentsplayground.yml`);
    [config.currentUser, config.users[index]] = [config.users[index], config.currentUser];
  }
  if (options.personalChatId) config.personalChat.id = options.personalChatId;
  return stringify(config);
}

export async function startPlayground(
  botPort: number,
  options: PlaygroundOptions = {},
): Promise<PlaygroundServer> {
  const workDir = mkdtempSync(join(tmpdir(), 'signin-desk-playground-'));
  writeFileSync(join(workDir, '.m365agentsplayground.yml'), playgroundConfig(options));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const playground: ChildProcess = spawn(
    process.execPath,
    [
      PLAYGROUND_CLI,
      '--app-endpoint',
      `http://127.0.0.1:${botPort}/api/messages`,
      '--channel-id',
      'msteams',
      '--port',
      String(port),
      '--disable-telemetry',
    ],
    { cwd: workDir, env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none' }, stdio: 'ignore' },
  );
  const stop = async () => {
    playground.kill('SIGTERM');
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await until(
      'the Playground',
      async () => {
        try {
          return (await fetch(`${url}/_debug/ping`)).ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    stop,
    async post(path, body) {
      const response = await fetch(url + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      assert.ok(response.ok, `${path}: ${response.status} ${text}`);
      return text;
    },
  };
}

export interface PlaygroundRun {
  app: App;
  url: string;
  sent: SentActivity[];
  /** POSTs JSON to the Playground and returns its answer's body; fails the test on an error status. */
  post(path: string, body: unknown): Promise<string>;
  stop(): Promise<void>;
}

export async function startBotWithPlayground(env: Record<string, string> = {}): Promise<PlaygroundRun> {
  const bot = await startBot(env);
  const playground = await startPlayground(bot.port).catch(async (error: unknown) => {
    await bot.stop();
    throw error;
  });
  return {
    app: bot.app,
    url: playground.url,
    sent: bot.sent,
    post: playground.post,
    async stop() {
      await playground.stop();
      await bot.stop();
    },
  };
}
