import assert from 'node:assert/strict';
import { MemoryStorage } from 'botbuilder';
import type { Activity } from 'botbuilder';
import { silentLogger } from '../../bot/logger';
import { StorageStats } from '../../bot/stats/storageStats';
import { SqliteStorage } from '../../bot/storage/sqliteStorage';
import { applyEvent, emptyDay, summarize } from '../../core/stats/dailyStats';
import { parseStatsRequest } from '../../core/stats/statsRequest';
import { SANDBOX_USERS, SandboxFixture } from '../helpers/sandbox';
import {
  button,
  createTestBot,
  lastCard,
  loadCatalog,
  stringsOf,
  submitDataOf,
  TestConversation,
  textsOf,
  type CardContent,
} from '../helpers/testBot';
import { HANAKO, KEN, SAKURA, SUPPORT_CHANNEL, TicketHarness } from '../tickets/ticketHarness';

const t = (key: string, params?: Record<string, string | number>) => loadCatalog().text('ja', key, params);

describe('Help-desk dashboard: counting', () => {
  it('adds events into one day and sums days into the figures the card shows', () => {
    let day = emptyDay('2026-12-01');
    for (const event of [
      { kind: 'diagnosisStarted' },
      { kind: 'flowUsed', flow: 'signin-repair' },
      { kind: 'stepNotHelped', procedure: 'p', step: 's1' },
      { kind: 'procedureVerified', procedure: 'p', step: 's2', fixed: true },
      { kind: 'licenceChecked', findings: ['noLicence', 'assignmentError:CountViolation'] },
      { kind: 'licenceChecked', findings: [], unavailable: true },
      { kind: 'ticketOpened', category: 'signin' },
      { kind: 'ticketOpened', category: 'activation' },
      { kind: 'ticketTaken', minutes: 4 },
      { kind: 'ticketTaken', minutes: 10 },
      { kind: 'ticketResolved' },
      { kind: 'ticketRated', solved: true, rating: 5 },
      { kind: 'ticketRated', solved: false, rating: 2 },
    ] as const)
      day = applyEvent(day, event);
    const other = applyEvent(applyEvent(emptyDay('2026-12-02'), { kind: 'flowUsed', flow: 'activation' }), {
      kind: 'ticketTaken',
      minutes: 30,
    });
    const summary = summarize([day, other], { from: '2026-12-01', to: '2026-12-02', days: 2 });
    assert.equal(summary.diagnoses, 1);
    assert.deepEqual(summary.flows, [
      { flow: 'activation', count: 1 },
      { flow: 'signin-repair', count: 1 },
    ]);
    assert.deepEqual(summary.resolvingSteps, [{ procedure: 'p', step: 's2', count: 1 }]);
    assert.deepEqual(summary.unhelpfulSteps, [{ procedure: 'p', step: 's1', count: 1 }]);
    assert.deepEqual(summary.findings.map((f) => f.code).sort(), [
      'assignmentError:CountViolation',
      'noLicence',
      'unavailable',
    ]);
    assert.equal(summary.escalations, 2);
    assert.equal(summary.medianMinutesToTake, 10);
    assert.equal(summary.resolutionRate, 0.5);
    assert.equal(summary.averageRating, 3.5);
    assert.deepEqual(
      summary.ratings.find((r) => r.stars === 5),
      { stars: 5, count: 1 },
    );
  });

  it('reads "stats", "stats 30", 「統計 30日」 and refuses days that are not a number of at least 1', () => {
    assert.deepEqual(parseStatsRequest('stats'), { kind: 'stats', days: 7 });
    assert.deepEqual(parseStatsRequest('Stats 30'), { kind: 'stats', days: 30 });
    assert.deepEqual(parseStatsRequest('stats 14 days'), { kind: 'stats', days: 14 });
    assert.deepEqual(parseStatsRequest('統計 30日'), { kind: 'stats', days: 30 });
    assert.deepEqual(parseStatsRequest('統計３０日間'), { kind: 'stats', days: 30 });
    assert.deepEqual(parseStatsRequest('ダッシュボード'), { kind: 'stats', days: 7 });
    assert.deepEqual(parseStatsRequest('stats 0'), { kind: 'statsBadDays', typed: '0' });
    assert.deepEqual(parseStatsRequest('stats week'), { kind: 'statsBadDays', typed: 'week' });
    assert.equal(parseStatsRequest('my stats app will not open because office is broken'), undefined);
  });

  it('two instances counting at once lose nothing; days past the retention are deleted', async () => {
    const storage = new SqliteStorage(':memory:');
    let now = new Date('2026-12-03T03:00:00Z');
    const instance = () =>
      new StorageStats({
        storage,
        logger: silentLogger,
        timeZone: 'Asia/Tokyo',
        retentionDays: 30,
        now: () => now,
      });
    const [one, two] = [instance(), instance()];
    for (let i = 0; i < 40; i++) {
      one.record({ kind: 'ticketOpened', category: 'signin' });
      two.record({ kind: 'flowUsed', flow: 'account' });
    }
    await Promise.all([one.flush(), two.flush()]);
    const today = await one.summary(1);
    assert.equal(today.escalations, 40);
    assert.deepEqual(today.flows, [{ flow: 'account', count: 40 }]);
    assert.equal(today.to, '2026-12-03');

    now = new Date('2027-01-10T03:00:00Z');
    one.record({ kind: 'diagnosisStarted' });
    await one.flush();
    const stored = await storage.read([
      'signin-desk/stats/day/2026-12-03',
      'signin-desk/stats/day/2027-01-10',
    ]);
    assert.equal(stored['signin-desk/stats/day/2026-12-03'], undefined, 'older than 30 days: deleted');
    assert.ok(stored['signin-desk/stats/day/2027-01-10']);
    storage.close();
  });
});

describe('Help-desk dashboard: the `stats` command (TestAdapter, sandbox tenant)', function () {
  this.timeout(30_000);
  const fixture = new SandboxFixture();
  before(async () => {
    await fixture.start();
  });
  after(async () => {
    await fixture.sandbox.close();
  });

  const isStepCard = (card: CardContent) => submitDataOf(card).some((d) => d.action === 'diagnosis.step');

  it("counts a repair that worked, a step that did not help and a licence finding; admins see them, users don't", async () => {
    const bot = createTestBot({ storage: new MemoryStorage(), directory: fixture.newDirectory() });
    const user = (aadObjectId: string, id: string) =>
      new TestConversation(bot.adapter, {
        user: { id, name: '利用者', aadObjectId },
        conversationId: `c-${id}`,
      });

    // A repair that worked: every step done, then "it works now".
    const hanako = user(SANDBOX_USERS.e3, '29:hanako');
    let replies = await hanako.say('Office にサインインできません');
    replies = await hanako.click({
      action: 'diagnosis.choose',
      question: 'office-product',
      choice: 'office-2019-later',
    });
    let lastStep = '';
    while (isStepCard(lastCard(replies))) {
      lastStep = button(lastCard(replies), { action: 'diagnosis.step', outcome: 'done' }).step;
      replies = await hanako.click(button(lastCard(replies), { action: 'diagnosis.step', outcome: 'done' }));
    }
    await hanako.click(button(lastCard(replies), { action: 'diagnosis.verify', answer: 'yes' }));

    // A step that did not help.
    const ken = user(SANDBOX_USERS.officeDisabled, '29:ken');
    replies = await ken.say('Office にサインインできません');
    replies = await ken.click({
      action: 'diagnosis.choose',
      question: 'office-product',
      choice: 'office-2019-later',
    });
    const firstStep = button(lastCard(replies), { action: 'diagnosis.step', outcome: 'notHelped' });
    await ken.click(firstStep);
    // A licence check with a finding (the Office apps are turned off in this user's licence).
    await ken.say('cancel');
    await ken.say('Office のライセンス認証ができません');
    await bot.parts.stats.flush();

    const admin = user(SANDBOX_USERS.helpdeskAdmin, '29:admin');
    const card = lastCard(await admin.say('統計'));
    const strings = stringsOf(card);
    assert.ok(strings.includes(t('stats.title')));
    const flow = loadCatalog().flow('ja');
    const procedure = flow.procedure('reset-office-2019-later');
    const label = (step: string) =>
      t('stats.stepLabel', {
        step: flow.step(step).title,
        procedure: procedure.buttonLabel ?? procedure.title,
      });
    assert.ok(strings.includes(label(lastStep)), 'the step before "it works now" resolved it');
    assert.ok(strings.includes(label(firstStep.step)), 'the step that did not help');
    assert.ok(strings.includes(t('stats.finding.officePlanDisabled')), JSON.stringify(strings));
    assert.ok(strings.includes(t('menu.signin-repair')));
    assert.ok(strings.includes(t('stats.headline.diagnoses')));

    // Days: a bad number is explained; more days than are kept say so.
    assert.deepEqual(textsOf(await admin.say('stats 0')), [t('stats.badDays')]);
    const long = stringsOf(lastCard(await admin.say('stats 400')));
    assert.ok(long.some((s) => s.includes(t('stats.clamped', { retention: 90 }))));

    // A user who is not an admin: refused; a sentence that only starts with the word is diagnosed instead.
    const user2 = user(SANDBOX_USERS.e3, '29:hanako-2');
    assert.deepEqual(textsOf(await user2.say('統計')), [t('stats.refused')]);
    const sentence = await user2.say('統計 のアプリで Office にサインインできない');
    assert.ok(!textsOf(sentence).includes(t('stats.refused')));
    assert.ok((sentence as Partial<Activity>[]).length > 0);
  });
});

describe('Help-desk dashboard in the support channel (HTTP)', function () {
  this.timeout(20_000);
  let h: TicketHarness;
  afterEach(async () => h?.stop());

  it('`stats` in the support channel shows escalations, time to take and resolutions to everyone there', async () => {
    h = await new TicketHarness().start();
    await h.escalate(HANAKO, { errorMessage: '0xCAA70004' });
    const thread = (await h.settled(1)).card!.threadConversationId;
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    await h.execute(SAKURA, thread, 'ticket.resolve', { ticket: 1 });
    await h.settled(1);
    await h.app.stats.flush();

    assert.equal(await h.channelSays(KEN, SUPPORT_CHANNEL, 'stats'), 200);
    const card = h.connector.postsTo(SUPPORT_CHANNEL).at(-1) as { attachments: { content: CardContent }[] };
    const strings = stringsOf(card.attachments[0].content);
    assert.ok(strings.includes(t('stats.title')));
    assert.ok(
      strings.includes(t('stats.footnote', { escalations: 1, taken: 1, resolved: 1, retention: 90 })),
    );
    assert.ok(strings.includes('100%'), 'resolution rate');
    assert.ok(strings.includes(t('stats.minutes', { minutes: 0 })), 'median time to take');
  });
});
