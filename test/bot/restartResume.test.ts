import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports';
import { startBotProcess } from '../helpers/botProcess';
import { FakeConnector, postActivity, teamsMessage } from '../helpers/fakeConnector';
import { submitDataOf, type CardContent } from '../helpers/testBot';

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve({ code: child.exitCode, signal: child.signalCode })
      : child.once('exit', (code, signal) => resolve({ code, signal })),
  );

const stepOf = (activity: Record<string, unknown>) =>
  submitDataOf(activity as CardContent).find((d) => d.action === 'diagnosis.step' && d.outcome === 'done');

describe('Restart: the real process, SQLite state, kill -9 and SIGTERM', function () {
  this.timeout(60_000);
  let connector: FakeConnector;
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    connector = await new FakeConnector().start();
    dataDir = mkdtempSync(join(tmpdir(), 'signin-desk-restart-'));
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await connector.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('continues a dialog at the same step after kill -9 and a restart', async () => {
    const port = await freePort();
    const botUrl = `http://127.0.0.1:${port}`;
    const first = await startBotProcess(port, { DATA_DIR: dataDir });
    children.push(first.child);

    await postActivity(botUrl, teamsMessage(connector.url, { text: 'Office 2019 でサインインできません' }));
    await connector.waitForActivities(2);
    const step1 = stepOf(connector.activities[1])!;
    assert.equal(step1.step, 'sign-out-quit-office-teams-onedrive');
    await postActivity(botUrl, teamsMessage(connector.url, { value: step1 }));
    await connector.waitForActivities(3);
    const step2 = stepOf(connector.activities[2])!;
    assert.equal(step2.step, 'download-olicensecleanup');

    first.child.kill('SIGKILL');
    assert.equal((await exited(first.child)).signal, 'SIGKILL');

    const second = await startBotProcess(port, { DATA_DIR: dataDir });
    children.push(second.child);
    await postActivity(botUrl, teamsMessage(connector.url, { value: step2 }));
    await connector.waitForActivities(4);
    assert.equal(stepOf(connector.activities[3])!.step, 'run-olicensecleanup-double-click');
    second.child.kill('SIGTERM');
    assert.equal((await exited(second.child)).code, 0);
  });

  it('on SIGTERM finishes the turn in flight, saves its state and exits cleanly', async () => {
    const port = await freePort();
    const botUrl = `http://127.0.0.1:${port}`;
    const bot = await startBotProcess(port, { DATA_DIR: dataDir });
    children.push(bot.child);

    connector.replyDelayMs = 1500;
    const inFlight = postActivity(
      botUrl,
      teamsMessage(connector.url, { text: 'Office 2016 でサインインできない' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    bot.child.kill('SIGTERM');
    assert.equal((await inFlight).status, 200);
    assert.equal((await exited(bot.child)).code, 0, bot.output());
    assert.equal(connector.activities.length, 2, 'both replies of the turn were delivered');

    connector.replyDelayMs = 0;
    const again = await startBotProcess(port, { DATA_DIR: dataDir });
    children.push(again.child);
    await postActivity(botUrl, teamsMessage(connector.url, { value: stepOf(connector.activities[1])! }));
    await connector.waitForActivities(3);
    assert.equal(
      stepOf(connector.activities[2])!.step,
      'download-olicensecleanup',
      'the turn’s state was saved',
    );
  });
});
