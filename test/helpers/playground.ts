import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { createApp, type App } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { projectRoot } from '../../bot/paths';
import { SqliteStorage } from '../../bot/storage/sqliteStorage';
import { freePort } from './ports';
import { testAppDeps } from './testBot';

/**
 * The real server with the Microsoft 365 Agents Playground (the client `npm start` opens) pointed at it, for
 * tests that drive the Playground's own HTTP API. That API is internal to the Playground, so its version is
 * pinned in package.json.
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

export interface PlaygroundRun {
  app: App;
  url: string;
  sent: SentActivity[];
  /** POSTs JSON to the Playground and returns its answer's body; fails the test on an error status. */
  post(path: string, body: unknown): Promise<string>;
  stop(): Promise<void>;
}

export async function startBotWithPlayground(env: Record<string, string> = {}): Promise<PlaygroundRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'signin-desk-playground-'));
  copyFileSync(join(projectRoot(), '.m365agentsplayground.yml'), join(workDir, '.m365agentsplayground.yml'));
  const app = createApp({
    config: loadConfig({ DATA_DIR: workDir, ...env }),
    storage: new SqliteStorage(':memory:'),
    ...testAppDeps(),
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
  const botPort = (await app.server.listen(0, '127.0.0.1')).port;
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
  return {
    app,
    url,
    sent,
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
    async stop() {
      playground.kill('SIGTERM');
      await app.server.close(1000);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
