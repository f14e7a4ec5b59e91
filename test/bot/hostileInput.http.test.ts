import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { SqliteStorage } from '../../bot/storage/sqliteStorage';
import { seededRandom } from '../helpers/botProcess';
import { FakeConnector, postActivity, teamsMessage } from '../helpers/fakeConnector';
import { submitDataOf, testAppDeps, type CardContent } from '../helpers/testBot';

const deep = (levels: number): unknown => {
  let value: unknown = { end: true };
  for (let i = 0; i < levels; i++) value = { inner: value };
  return value;
};

const STRANGE: unknown[] = [
  null,
  42,
  -1,
  1e308,
  true,
  '',
  'x'.repeat(5000),
  '\u0000\uffff😀',
  '<script>alert(1)</script>',
  [],
  [1, 'a'],
  {},
  { toString: 'x' },
  deep(40),
  '__proto__',
  'http://127.0.0.1:9/',
  'javascript:alert(1)',
];

/** One hostile variant of a valid activity: a field replaced, removed or added, at any depth. */
function mutate(base: Record<string, unknown>, next: () => number): Record<string, unknown> {
  const activity = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const paths = [
    ['type'],
    ['id'],
    ['name'],
    ['text'],
    ['value'],
    ['serviceUrl'],
    ['channelId'],
    ['locale'],
    ['from'],
    ['from', 'id'],
    ['from', 'aadObjectId'],
    ['recipient'],
    ['conversation'],
    ['conversation', 'id'],
    ['conversation', 'tenantId'],
    ['conversation', 'conversationType'],
    ['channelData'],
    ['channelData', 'tenant'],
    ['channelData', 'tenant', 'id'],
    ['attachments'],
    ['entities'],
    ['value', 'action'],
    ['value', 'action', 'verb'],
    ['value', 'action', 'data'],
    ['value', 'action', 'data', 'ticket'],
  ];
  const changes = 1 + Math.floor(next() * 3);
  for (let i = 0; i < changes; i++) {
    const path = pick(paths);
    let target = activity as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      if (!target[key] || typeof target[key] !== 'object') target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    const last = path[path.length - 1];
    if (next() < 0.15) delete target[last];
    else {
      const value = pick(STRANGE);
      // A copy each time: a shared object placed twice would make the activity circular.
      target[last] = value && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
    }
  }
  if (next() < 0.3) {
    activity.type = pick([
      'invoke',
      'message',
      'conversationUpdate',
      'messageReaction',
      'installationUpdate',
    ]);
    if (activity.type === 'invoke')
      activity.name = pick(['adaptiveCard/action', 'task/fetch', 'composeExtension/query', 'unknown/thing']);
  }
  return activity;
}

describe('Hostile input: a clear answer, no change, no crash (HTTP, local mode)', function () {
  this.timeout(180_000);
  let connector: FakeConnector;
  let app: App;
  let storage: SqliteStorage;
  let botUrl: string;
  let dataDir: string;

  before(async () => {
    connector = await new FakeConnector().start();
    dataDir = mkdtempSync(join(tmpdir(), 'signin-desk-hostile-'));
    storage = new SqliteStorage(join(dataDir, 'state.sqlite'));
    app = createApp({ config: loadConfig({ DATA_DIR: dataDir }), storage, ...testAppDeps() });
    botUrl = `http://127.0.0.1:${(await app.server.listen(0, '127.0.0.1')).port}`;
  });

  after(async () => {
    await app.server.close(1000);
    storage.close();
    await connector.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 400 to a wrong envelope: a serviceUrl that is not a URL, a tenant id that is an array', async () => {
    const valid = teamsMessage(connector.url, { text: 'hi' });
    for (const broken of [
      { ...valid, serviceUrl: 12345 },
      { ...valid, serviceUrl: 'javascript:alert(1)' },
      { ...valid, channelData: { tenant: { id: ['a', 'b'] } } },
      { ...valid, conversation: { id: { nested: true } } },
      { ...valid, type: 7 },
    ]) {
      const response = await postActivity(botUrl, broken);
      assert.equal(response.status, 400, JSON.stringify(broken).slice(0, 120));
      assert.ok(!response.body.includes('    at '), 'no stack trace');
    }
  });

  it('a malformed card invoke gets 400 and leaves the diagnosis where it was', async () => {
    const conversation = { id: 'a:hostile-invoke', conversationType: 'personal' };
    const say = (text: string) =>
      postActivity(botUrl, { ...teamsMessage(connector.url, { text }), conversation: { ...conversation } });
    await say('Office にサインインできません');
    await connector.waitForActivities(1);
    const before = connector.activities.length;
    const invoke = (value: string) =>
      JSON.stringify({
        ...teamsMessage(connector.url),
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: '<value>',
        conversation: { ...conversation },
      }).replace('"<value>"', value);
    // 10,000 levels of nesting, written as text: the test's own JSON.stringify could not build it.
    const tenThousandDeep = `{"action":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    for (const value of ['null', '"a string"', '42', '{"action":"not an object"}', tenThousandDeep]) {
      const response = await fetch(`${botUrl}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: invoke(value),
      });
      assert.equal(response.status, 400, value.slice(0, 60));
    }
    assert.equal(connector.activities.length, before, 'nothing was sent');
    // The question about the Office version is still the one waiting.
    await say('2019です');
    await connector.waitForActivities(before + 1);
    const last = connector.activities.at(-1) as CardContent;
    assert.ok(
      submitDataOf(last).some((d) => d.procedure === 'reset-office-2019-later'),
      'the diagnosis went on',
    );
  });

  it('5,000 generated activities: no answer of 500 or more, no stack trace, bounded memory, alive after', async () => {
    const next = seededRandom(20261203);
    const valid = [
      teamsMessage(connector.url, { text: 'Office 2016 にサインインできない' }),
      {
        ...teamsMessage(connector.url),
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'ticket.take', data: { ticket: 1 } } },
      },
      { ...teamsMessage(connector.url, { value: { action: 'diagnosis.start', flow: 'account' } }) },
      {
        ...teamsMessage(connector.url),
        type: 'conversationUpdate',
        membersAdded: [{ id: '28:sign-in-desk' }],
      },
    ];
    const statuses = new Map<number, number>();
    let slowest = 0;
    const rssBefore = process.memoryUsage().rss;
    const consoleError = console.error;
    const consoleWarn = console.warn;
    console.error = () => {};
    console.warn = () => {};
    try {
      for (let i = 0; i < 5000; i++) {
        // A conversation per case, as from many users: one conversation's sends are rate-limited (Teams' limits).
        const base = valid[i % valid.length];
        const activity = mutate(
          { ...base, conversation: { ...(base.conversation as object), id: `a:fuzz-${i}` } },
          next,
        );
        const started = Date.now();
        const response = await postActivity(botUrl, activity);
        slowest = Math.max(slowest, Date.now() - started);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        assert.ok(
          response.status < 500,
          `case ${i}: ${response.status} ${response.body.slice(0, 200)} ${JSON.stringify(activity).slice(0, 600)}`,
        );
        assert.ok(!/\n\s+at |Error:/.test(response.body), `case ${i}: ${response.body.slice(0, 200)}`);
      }
    } finally {
      console.error = consoleError;
      console.warn = consoleWarn;
    }
    const grownMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
    assert.ok(grownMb < 300, `memory grew by ${grownMb.toFixed(0)} MB`);
    const alive = await fetch(`${botUrl}/healthz`);
    assert.equal(alive.status, 200);
    process.stdout.write(
      `      answers by status: ${JSON.stringify(Object.fromEntries(statuses))}; slowest ${slowest} ms\n`,
    );
  });
});
