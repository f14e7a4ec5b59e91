import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { createApp, type App } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { silentLogger } from '../../bot/logger';
import { projectRoot } from '../../bot/paths';
import { freePort } from '../helpers/ports';
import { SqliteStorage } from '../../bot/storage/sqliteStorage';
import {
  codeBlocksOf,
  loadCatalog,
  loadProducts,
  unreachableDirectory,
  loadUnderstandingOnce,
  stringsOf,
  submitDataOf,
  type CardContent,
} from '../helpers/testBot';

/**
 * The Microsoft 365 Agents Playground (the client `npm start` opens) talking to the real server, driven
 * through the Playground's own HTTP API, as a user would click. That API is internal to the Playground,
 * so its version is pinned in package.json.
 */
const PLAYGROUND_CLI = join(projectRoot(), 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const CHAT = 'personal-chat-id'; // .m365agentsplayground.yml
const USER = 'user-id-0';

async function until<T>(
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

describe('Agents Playground end to end', function () {
  this.timeout(120_000);
  let app: App;
  let playground: ChildProcess;
  let playgroundUrl: string;
  let workDir: string;
  /** What the bot sent, with the id the Playground gave each message (needed to "click" its buttons). */
  const sent: { activity: Partial<Activity>; id: string }[] = [];

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'signin-desk-playground-'));
    copyFileSync(
      join(projectRoot(), '.m365agentsplayground.yml'),
      join(workDir, '.m365agentsplayground.yml'),
    );
    app = createApp({
      config: loadConfig({ DATA_DIR: workDir }),
      storage: new SqliteStorage(':memory:'),
      catalog: loadCatalog(),
      logger: silentLogger,
      directory: unreachableDirectory,
      understanding: loadUnderstandingOnce(),
      products: loadProducts(),
    });
    app.adapter.use(async (context, next) => {
      context.onSendActivities(async (_ctx, activities, sendNext) => {
        const responses = await sendNext();
        activities.forEach((activity, i) => sent.push({ activity, id: responses[i]?.id ?? '' }));
        return responses;
      });
      await next();
    });
    const botPort = (await app.server.listen(0, '127.0.0.1')).port;
    const port = await freePort();
    playgroundUrl = `http://127.0.0.1:${port}`;
    playground = spawn(
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
          return (await fetch(`${playgroundUrl}/_debug/ping`)).ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
    );
  });

  after(async () => {
    playground?.kill('SIGTERM');
    await app?.server.close(1000);
    rmSync(workDir, { recursive: true, force: true });
  });

  async function post(path: string, body: unknown): Promise<void> {
    const response = await fetch(playgroundUrl + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `${path}: ${response.status} ${await response.text()}`);
  }

  /** Waits for the bot's answer to settle and returns the last card it sent, with its message id. */
  async function nextCard(after: number): Promise<{ card: CardContent; id: string; texts: string[] }> {
    await until('a card from the bot', () =>
      sent.slice(after).some((s) => s.activity.attachments?.length) ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    const turn = sent.slice(after);
    const last = turn.filter((s) => s.activity.attachments?.length).at(-1)!;
    return {
      card: last.activity.attachments![0].content as CardContent,
      id: last.id,
      texts: turn.map((s) => s.activity.text ?? '').filter(Boolean),
    };
  }

  async function say(text: string) {
    const mark = sent.length;
    await post(`/_conversation/v1/conversations/${CHAT}/messages`, {
      from: { id: USER },
      text,
      textFormat: 'plain',
    });
    return nextCard(mark);
  }

  async function click(replyToId: string, value: Record<string, string>) {
    const mark = sent.length;
    await post('/_conversation/v1/submit', {
      conversation: { id: CHAT },
      from: { id: USER },
      replyToId,
      value,
    });
    return nextCard(mark);
  }

  it('shows the welcome card when the app is installed', async () => {
    const template = await (
      await fetch(
        `${playgroundUrl}/_internal/v1/customActivities/template?type=install&conversationId=${CHAT}`,
      )
    ).json();
    const mark = sent.length;
    await post('/_internal/v1/customActivities', template);
    const { card } = await nextCard(mark);
    assert.ok(submitDataOf(card).some((d) => d.action === 'diagnosis.start'));
  });

  const branches = [
    { product: 'office-2013-2016', procedure: 'reset-office-2013-2016' },
    { product: 'office-2019-later', procedure: 'reset-office-2019-later' },
    { product: 'consumer-office', procedure: 'reset-office-2019-later' },
    { product: 'microsoft-365-apps', admin: 'is-admin', procedure: 'reset-m365-apps-admin' },
    {
      product: 'microsoft-365-apps',
      admin: 'other-admin-available',
      procedure: 'reset-m365-apps-other-admin',
    },
    { product: 'microsoft-365-apps', admin: 'no-admin', procedure: 'reset-m365-apps-no-admin' },
  ];
  for (const [index, branch] of branches.entries()) {
    const language = index % 2 === 0 ? 'ja' : 'en';
    it(`${branch.product}${branch.admin ? ` / ${branch.admin}` : ''} (${language}) ends with its steps and scripts`, async () => {
      const flow = loadCatalog().flow(language);
      let current = await say(
        language === 'ja' ? 'Office にサインインできません' : "I can't sign in to Office",
      );
      current = await click(current.id, {
        action: 'diagnosis.choose',
        question: 'office-product',
        choice: branch.product,
      });
      if (branch.admin)
        current = await click(current.id, {
          action: 'diagnosis.choose',
          question: 'admin-rights',
          choice: branch.admin,
        });
      const seen: string[] = [];
      for (;;) {
        const done = submitDataOf(current.card).find(
          (d) => d.action === 'diagnosis.step' && d.outcome === 'done',
        );
        if (done) {
          seen.push(done.step);
          const step = flow.step(done.step);
          assert.ok(stringsOf(current.card).includes(step.text), `${step.id} text in ${language}`);
          for (const code of step.code)
            if ('text' in code)
              assert.ok(
                codeBlocksOf(current.card).some((c) => c.codeSnippet === code.text),
                `${step.id} code`,
              );
          current = await click(current.id, done);
          continue;
        }
        const verify = submitDataOf(current.card).find(
          (d) => d.action === 'diagnosis.verify' && d.answer === 'no',
        );
        if (verify && seen.length < flow.procedure(branch.procedure).steps.length) {
          current = await click(current.id, verify); // a checkpoint: not fixed yet, go on
          continue;
        }
        break;
      }
      assert.deepEqual(seen, flow.procedure(branch.procedure).steps);
      current = await click(current.id, {
        action: 'diagnosis.verify',
        procedure: branch.procedure,
        answer: 'no',
      });
      const next = submitDataOf(current.card)
        .filter((d) => d.action === 'diagnosis.next')
        .map((d) => d.choice);
      assert.equal(next.at(-1), 'person');
      assert.ok(next.includes('signout-wam-accounts-script'));
      current = await click(current.id, {
        action: 'diagnosis.next',
        procedure: branch.procedure,
        choice: 'signout-wam-accounts-script',
      });
      assert.deepEqual(
        codeBlocksOf(current.card).map((c) => c.codeSnippet),
        [loadCatalog().scriptText('signout-wam-accounts')],
      );
      const mark = sent.length;
      await post(`/_conversation/v1/conversations/${CHAT}/messages`, {
        from: { id: USER },
        text: language === 'ja' ? 'キャンセル' : 'cancel',
        textFormat: 'plain',
      });
      const reply = await until('the cancel reply', () => sent[mark]?.activity.text);
      assert.equal(reply, loadCatalog().text(language, 'cancel.done'));
    });
  }
});
