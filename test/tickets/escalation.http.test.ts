import assert from 'node:assert/strict';
import type { Directory } from '../../core/licensing/directory';
import { loadCatalog } from '../helpers/testBot';
import {
  HANAKO,
  KEN,
  PERSONAL,
  SAKURA,
  SUPPORT_CHANNEL,
  TEAM_GROUP_ID,
  TicketHarness,
  mentions,
  stringsIn,
} from './ticketHarness';

const t = (key: string, params?: Record<string, string | number>) => loadCatalog().text('ja', key, params);

/** Runs the escalation dialog to the end: form, screenshot, confirm. */
const escalate = (h: TicketHarness, user = HANAKO) =>
  h.escalate(
    user,
    {
      errorMessage: 'エラー コード 0xCAA70004',
      stepsTried: 'PC を再起動した',
      device: 'Windows 11',
      browser: 'Edge 131',
    },
    [{ contentType: 'image/png', contentUrl: 'https://contoso.sharepoint.com/error.png', name: 'error.png' }],
  );

describe('Escalation to a support agent (HTTP, CloudAdapter, SQLite, fake connector)', function () {
  this.timeout(20_000);
  let h: TicketHarness;

  afterEach(async () => {
    await h?.stop();
  });

  it('the whole life cycle: escalate, card in the channel, take, relay both ways, resolve, rating', async () => {
    h = await new TicketHarness().start();
    const personal = PERSONAL(HANAKO);

    // 1. Escalation in personal chat: the form asks only what the diagnosis does not know, then a summary.
    await h.userSays(HANAKO, '担当者と話したい');
    let posts = h.connector.postsTo(personal);
    assert.ok(mentions(posts.at(-1), t('escalation.form.title')));
    await h.userClicks(HANAKO, {
      action: 'ticket.details',
      errorMessage: 'エラー コード 0xCAA70004',
      stepsTried: 'PC を再起動した',
      device: 'Windows 11',
      browser: 'Edge 131',
    });
    assert.ok(mentions(h.connector.postsTo(personal).at(-1), t('escalation.screenshot.title')));
    await h.userSays(HANAKO, '', {
      attachments: [
        { contentType: 'text/html', content: '<p>x</p>' },
        {
          contentType: 'image/png',
          contentUrl: 'https://contoso.sharepoint.com/error.png',
          name: 'error.png',
        },
      ],
    });
    const summary = h.connector.postsTo(personal).at(-1);
    assert.ok(mentions(summary, t('escalation.summary.title')));
    assert.ok(mentions(summary, 'エラー コード 0xCAA70004'));
    assert.ok(stringsIn(summary).includes('https://contoso.sharepoint.com/error.png'));
    assert.equal(h.connector.createdThreads.length, 0, 'nothing is sent before the user confirms');
    await h.userClicks(HANAKO, { action: 'ticket.confirm', choice: 'send' });
    assert.equal(h.connector.postsTo(personal).at(-1)?.text, t('escalation.created', { label: '#1' }));

    // 2. The card in the support channel, with the summary and the trail.
    let ticket = await h.settled(1);
    assert.equal(h.connector.createdThreads.length, 1);
    const created = h.connector.createdThreads[0].body as {
      channelData: { channel: { id: string } };
      activity: unknown;
    };
    assert.equal(created.channelData.channel.id, SUPPORT_CHANNEL);
    assert.ok(mentions(created.activity, '#1 サインイン — 佐藤 花子') || mentions(created.activity, '#1'));
    assert.ok(mentions(created.activity, 'エラー コード 0xCAA70004'));
    assert.ok(mentions(created.activity, 'Windows 11'));
    assert.equal(ticket.status, 'open');
    assert.ok(ticket.card);
    const thread = ticket.card.threadConversationId;
    assert.equal(thread, `${SUPPORT_CHANNEL};messageid=${ticket.card.activityId}`);

    // 3. Take: the card comes back updated, and the user is told who helps them.
    const taken = await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    assert.equal(taken.status, 200);
    assert.equal(taken.body.type, 'application/vnd.microsoft.card.adaptive');
    assert.ok(mentions(taken.body.value, '対応中 (担当: 森 さくら)'));
    ticket = await h.settled(1);
    assert.equal(ticket.status, 'assigned');
    assert.equal(ticket.assignee?.aadObjectId, SAKURA.aadObjectId);
    assert.ok(
      h.connector
        .postsTo(personal)
        .some((a) => a.text === t('ticket.user.taken', { label: '#1', agent: '森 さくら' })),
    );
    assert.ok(
      h.connector.updates.some((u) => u.path.includes(encodeURIComponent(ticket.card!.activityId))),
      'the card was updated in place',
    );

    // 4. The agent writes in the thread; the bot delivers it to the user's personal chat.
    assert.equal(
      await h.channelSays(SAKURA, thread, 'サインアウトしてから、もう一度サインインしてください。'),
      200,
    );
    ticket = await h.settled(1);
    assert.equal(ticket.status, 'waitingForUser');
    posts = h.connector.postsTo(personal);
    assert.ok(mentions(posts.at(-1), 'サインアウトしてから、もう一度サインインしてください。'));
    assert.ok(mentions(posts.at(-1), '森 さくら'));

    // 5. The user answers in personal chat; it goes to the thread, marked as from the user.
    await h.userSays(HANAKO, 'やってみましたが、まだ 0xCAA70004 が出ます', {
      attachments: [
        {
          contentType: 'image/png',
          contentUrl: 'https://contoso.sharepoint.com/again.png',
          name: 'again.png',
        },
      ],
    });
    assert.equal(h.connector.postsTo(personal).at(-1)?.text, t('ticket.user.relayHint', { label: '#1' }));
    ticket = await h.settled(1);
    assert.equal(ticket.status, 'assigned');
    const inThread = h.connector.postsTo(thread);
    const fromUser = inThread.at(-1);
    assert.ok(mentions(fromUser, t('ticket.thread.fromUser', { label: '#1' })));
    assert.ok(mentions(fromUser, 'やってみましたが、まだ 0xCAA70004 が出ます'));
    assert.ok(
      stringsIn(fromUser).includes('https://contoso.sharepoint.com/again.png'),
      'attachments pass as links',
    );

    // 6. The card's Reply box works too.
    const replied = await h.execute(SAKURA, thread, 'ticket.reply', {
      ticket: 1,
      reply: 'ライセンスを再割り当てしました。',
    });
    assert.equal(replied.body.type, 'application/vnd.microsoft.card.adaptive');
    await h.settled(1);
    assert.ok(mentions(h.connector.postsTo(personal).at(-1), 'ライセンスを再割り当てしました。'));

    // 7. Resolve: the user is asked whether it is solved, and to rate.
    const resolved = await h.execute(SAKURA, thread, 'ticket.resolve', { ticket: 1 });
    assert.ok(mentions(resolved.body.value, t('ticket.status.resolved')));
    await h.settled(1);
    const feedbackCard = h.connector.postsTo(personal).at(-1);
    assert.ok(mentions(feedbackCard, t('ticket.user.resolvedText')));
    await h.userClicks(HANAKO, { action: 'ticket.feedback', ticket: '1', solved: 'yes', rating: '5' });
    assert.equal(
      h.connector.postsTo(personal).at(-1)?.text,
      t('ticket.user.feedbackThanks', { label: '#1' }),
    );
    ticket = await h.settled(1);
    assert.equal(ticket.status, 'resolved');
    assert.deepEqual(ticket.feedback, { solved: true, rating: 5 });
    assert.ok(
      h.connector.postsTo(thread).at(-1)?.text ===
        t('ticket.thread.solved', { label: '#1', who: '佐藤 花子', rating: '5' }),
    );

    // 8. After the resolve, what the user writes is a new conversation with the bot, not a relay.
    const before = h.connector.postsTo(thread).length;
    await h.userSays(HANAKO, 'ありがとうございました');
    await h.settled(1);
    assert.equal(h.connector.postsTo(thread).length, before);

    // 9. My tickets.
    await h.userSays(HANAKO, 'my tickets');
    assert.ok(mentions(h.connector.postsTo(personal).at(-1), '解決済み (担当: 森 さくら)'));

    // The stored ticket holds everything the issue lists.
    assert.equal(ticket.requester.aadObjectId, HANAKO.aadObjectId);
    assert.equal(ticket.category, 'other');
    assert.equal(ticket.language, 'ja');
    assert.ok(ticket.createdAt && ticket.updatedAt);
    assert.deepEqual(
      ticket.events.map((e) => e.kind),
      ['opened', 'taken', 'agentMessage', 'userMessage', 'agentMessage', 'resolved', 'feedback'],
    );
  });

  it('the user can end the conversation, add information and withdraw; every change reaches the channel', async () => {
    h = await new TicketHarness().start();
    await escalate(h);
    let ticket = await h.settled(1);
    const thread = ticket.card!.threadConversationId;
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    await h.settled(1);
    await h.userSays(HANAKO, '終了');
    assert.equal(h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text, t('ticket.user.left', { label: '#1' }));
    ticket = await h.settled(1);
    assert.equal(ticket.relayActive, false);
    assert.equal(
      h.connector.postsTo(thread).at(-1)?.text,
      t('ticket.thread.userLeft', { label: '#1', who: '佐藤 花子' }),
    );

    await h.userClicks(HANAKO, { action: 'ticket.addInfo', ticket: '1', info: '別の PC では問題ありません' });
    assert.equal(
      h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text,
      t('ticket.user.infoAdded', { label: '#1' }),
    );
    await h.settled(1);
    assert.ok(mentions(h.connector.postsTo(thread).at(-1), '別の PC では問題ありません'));

    await h.userClicks(HANAKO, { action: 'ticket.withdraw', ticket: '1' });
    ticket = await h.settled(1);
    assert.equal(ticket.status, 'closed');
    assert.equal(
      h.connector.postsTo(thread).at(-1)?.text,
      t('ticket.thread.withdrawn', { label: '#1', who: '佐藤 花子' }),
    );
    const lastUpdate = h.connector.updates.at(-1)!;
    assert.ok(mentions(lastUpdate.body, t('ticket.status.closed')), 'the card shows the new status');
  });

  it('outbox: the first post fails, the retry succeeds, and there is exactly one card', async () => {
    h = await new TicketHarness().start();
    h.connector.failNext((c) => c.method === 'POST' && c.path === '/v3/conversations', 500);
    h.connector.failNext((c) => c.method === 'POST' && c.path === '/v3/conversations', 429, 1, {
      'Retry-After': '0.05',
    });
    await escalate(h);
    // The ticket exists, with its card still owed, before any post succeeded.
    const stored = await h.ticket(1);
    assert.ok(stored);
    const ticket = await h.settled(1);
    const attempts = h.connector.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations');
    assert.deepEqual(
      attempts.map((c) => c.status),
      [500, 429, 201],
    );
    assert.equal(h.connector.createdThreads.length, 1, 'no duplicate card');
    assert.ok(ticket.card?.activityId);
  });

  it('concurrent Take: exactly one agent gets the ticket, the other is told who has it', async () => {
    h = await new TicketHarness().start();
    await escalate(h);
    const thread = (await h.settled(1)).card!.threadConversationId;
    const [a, b] = await Promise.all([
      h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 }),
      h.execute(KEN, thread, 'ticket.take', { ticket: 1 }),
    ]);
    const winners = [a, b].filter((r) => r.body.type === 'application/vnd.microsoft.card.adaptive');
    const losers = [a, b].filter((r) => r.body.type === 'application/vnd.microsoft.activity.message');
    assert.equal(winners.length, 1);
    assert.equal(losers.length, 1);
    const ticket = await h.settled(1);
    assert.equal(
      losers[0].body.value,
      t('ticket.refused.alreadyTaken', { label: '#1', assignee: ticket.assignee!.name }),
    );
    assert.equal(ticket.events.filter((e) => e.kind === 'taken').length, 1);
    assert.equal(
      h.connector.postsTo(PERSONAL(HANAKO)).filter((p) => String(p.text).includes('が #1 を担当します'))
        .length,
      1,
    );
  });

  it('restart in the middle of a ticket: nothing is lost, undelivered posts go out after the restart', async () => {
    h = await new TicketHarness().start();
    // Teams is down: every post fails while the ticket is created.
    h.connector.failNext((c) => c.path === '/v3/conversations', 503, 1000);
    await escalate(h);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(h.connector.createdThreads.length, 0);
    await h.stopBot();

    // Teams is back; a new process on the same data file.
    const connector = h.connector;
    const dataDir = h.dataDir;
    (connector as unknown as { failures: unknown[] }).failures = [];
    h = await new TicketHarness().start({ connector, dataDir });
    const ticket = await h.settled(1);
    assert.equal(h.connector.createdThreads.length, 1);
    assert.equal(ticket.status, 'open');
    assert.ok(mentions(h.connector.createdThreads[0].body, 'エラー コード 0xCAA70004'));

    // And the conversation goes on: take, relay.
    const thread = ticket.card!.threadConversationId;
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    await h.channelSays(SAKURA, thread, '確認します');
    await h.settled(1);
    assert.ok(mentions(h.connector.postsTo(PERSONAL(HANAKO)).at(-1), '確認します'));
    // A second ticket gets the next number: numbers are never reused. (While the agent and the user talk,
    // "担当者と話したい" goes to the agent, so the user ends that conversation first.)
    await h.userSays(HANAKO, '終了');
    await escalate(h);
    assert.ok(await h.ticket(2));
    assert.ok(
      h.connector
        .postsTo(PERSONAL(HANAKO))
        .some((p) => p.text === t('escalation.alreadyOpen', { label: '#1' })),
      'the user is told about the ticket already open',
    );
  });

  it("refuses card actions from outside the ticket's channel and from people who do not own a ticket", async () => {
    h = await new TicketHarness().start();
    await escalate(h);
    const thread = (await h.settled(1)).card!.threadConversationId;

    // A copy of the card's payload sent from personal chat, or from another channel.
    for (const conversation of [PERSONAL(KEN), '19:other-channel@thread.tacv2;messageid=9']) {
      const answer = await h.execute(KEN, conversation, 'ticket.take', { ticket: 1 });
      assert.equal(answer.body.type, 'application/vnd.microsoft.activity.message');
      assert.equal(answer.body.value, t('ticket.refused.wrongChannel', { label: '#1' }));
    }
    // A ticket that does not exist.
    const missing = await h.execute(SAKURA, thread, 'ticket.take', { ticket: 99 });
    assert.equal(missing.body.value, t('ticket.refused.notFound', { label: '#99' }));
    // Someone else's ticket in the user's own chat.
    await h.userClicks(KEN, { action: 'ticket.withdraw', ticket: '1' });
    assert.equal(
      h.connector.postsTo(PERSONAL(KEN)).at(-1)?.text,
      t('ticket.refused.notRequester', { label: '#1' }),
    );
    // Only the assignee resolves.
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    const notMine = await h.execute(KEN, thread, 'ticket.resolve', { ticket: 1 });
    assert.equal(notMine.body.value, t('ticket.refused.notAssignee', { label: '#1', assignee: '森 さくら' }));
    const ticket = await h.settled(1);
    assert.equal(ticket.status, 'assigned');
    assert.equal(ticket.assignee?.aadObjectId, SAKURA.aadObjectId);
  });

  it("the agent's card names the requester with their UPN and a chat link; short headings; 'not rated'", async () => {
    h = await new TicketHarness().start();
    h.connector.upns.set(HANAKO.id, 'hanako.sato@contoso.example');
    await escalate(h);
    let ticket = await h.settled(1);
    const card = JSON.stringify(ticket.card && h.connector.createdThreads[0].body);
    assert.ok(card.includes('佐藤 花子 (hanako.sato@contoso.example)'), 'name and UPN');
    assert.ok(card.includes('https://teams.microsoft.com/l/chat/0/0?users=hanako.sato%40contoso.example'));
    assert.ok(card.includes(t('ticket.detail.device')) && !card.includes(t('escalation.field.device')));
    const thread = ticket.card!.threadConversationId;
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    await h.execute(SAKURA, thread, 'ticket.resolve', { ticket: 1 });
    await h.userClicks(HANAKO, { action: 'ticket.feedback', ticket: '1', solved: 'yes' });
    ticket = await h.settled(1);
    const updated = JSON.stringify(h.connector.updates.at(-1)?.body);
    assert.ok(updated.includes(t('ticket.feedback.solvedNotRated')), 'a rating never given is "not rated"');
  });

  it("a card's button acts only on that card's ticket, whatever ticket number its data names", async () => {
    h = await new TicketHarness().start();
    await escalate(h);
    await escalate(h, KEN);
    const threadOfOne = (await h.settled(1)).card!.threadConversationId;
    await h.settled(2);
    const forged = await h.execute(SAKURA, threadOfOne, 'ticket.take', { ticket: 2 });
    assert.equal(forged.body.value, t('ticket.refused.wrongThread', { label: '#2' }));
    const two = await h.settled(2);
    assert.equal(two.status, 'open', '#2 was not taken');
    assert.equal(two.assignee, undefined);
    const real = await h.execute(SAKURA, threadOfOne, 'ticket.take', { ticket: 1 });
    assert.equal(real.body.type, 'application/vnd.microsoft.card.adaptive');
  });

  it("a user never reached in personal chat: the agent's card says so instead of failing silently", async () => {
    h = await new TicketHarness().start();
    // Ken asks from a group chat and has never opened a personal chat with the bot.
    const group = '19:group-chat@thread.v2';
    const say = (text: string, value?: Record<string, unknown>) => h.groupSays(KEN, group, text, value);
    await say('担当者と話したい');
    await say('', { action: 'ticket.details', errorMessage: 'x' });
    await say('', { action: 'ticket.screenshot', choice: 'none' });
    await say('', { action: 'ticket.confirm', choice: 'send' });
    const thread = (await h.settled(1)).card!.threadConversationId;
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    const ticket = await h.settled(1);
    assert.equal(ticket.unreachable, t('ticket.unreachable.neverReached'));
    assert.ok(mentions(h.connector.updates.at(-1)!.body, t('ticket.unreachable.neverReached')));
  });

  it('a user who blocked the bot (403): the card says so; 429 on a send is retried', async () => {
    h = await new TicketHarness().start();
    await escalate(h);
    const thread = (await h.settled(1)).card!.threadConversationId;
    h.connector.failNext((c) => c.conversationId === PERSONAL(HANAKO), 429, 2, { 'Retry-After': '0.02' });
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    let ticket = await h.settled(1);
    assert.equal(ticket.unreachable, undefined);
    assert.equal(
      h.connector.calls.filter((c) => c.conversationId === PERSONAL(HANAKO) && c.status === 429).length,
      2,
    );
    h.connector.failNext((c) => c.conversationId === PERSONAL(HANAKO), 403, 1);
    await h.channelSays(SAKURA, thread, 'まだいらっしゃいますか？');
    ticket = await h.settled(1);
    assert.equal(ticket.unreachable, t('ticket.unreachable.blocked'));
  });

  it('queue lists open tickets oldest first with waiting time; only in a support channel', async () => {
    h = await new TicketHarness().start();
    await escalate(h, HANAKO);
    await escalate(h, KEN);
    await h.settled(1);
    await h.settled(2);
    await h.channelSays(SAKURA, `${SUPPORT_CHANNEL};messageid=queue-1`, 'queue');
    const queue = h.connector.postsTo(`${SUPPORT_CHANNEL};messageid=queue-1`).at(-1);
    const strings = stringsIn(queue);
    const first = strings.findIndex((s) => s.startsWith('#1 '));
    const second = strings.findIndex((s) => s.startsWith('#2 '));
    assert.ok(first >= 0 && second > first, 'oldest first');
    assert.ok(strings.some((s) => s.includes('待ち時間')));
    await h.channelSays(SAKURA, '19:random@thread.tacv2', 'queue');
    assert.equal(
      h.connector.postsTo('19:random@thread.tacv2').at(-1)?.text,
      t('ticket.refused.notSupportChannel', { label: '' }),
    );
  });

  it('an admin registers the support channel by typing in it; a non-admin cannot; waiting tickets then go out', async () => {
    const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
    const directory = new Proxy({} as Directory, {
      get: (_target, name) =>
        name === 'getDirectoryRoleTemplateIds'
          ? async (id: string) => (id === SAKURA.aadObjectId ? [GLOBAL_ADMIN] : [])
          : async () => [],
    });
    h = await new TicketHarness({ env: { SUPPORT_CHANNEL_ID: '' }, directory }).start();
    await escalate(h);
    assert.equal(
      h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text,
      t('escalation.createdNoChannel', { label: '#1' }),
    );
    const channel = '19:registered@thread.tacv2';
    await h.channelSays(KEN, channel, 'register support channel');
    assert.equal(h.connector.postsTo(channel).at(-1)?.text, t('ticket.channel.registerRefused'));
    await h.channelSays(SAKURA, channel, 'register support channel');
    assert.ok(
      String(h.connector.postsTo(channel).at(-1)?.text).startsWith(
        t('ticket.channel.registered', { scope: t('ticket.channel.scopeAll') }).slice(0, 10),
      ),
    );
    const ticket = await h.settled(1);
    assert.equal(ticket.card?.channelId, channel);
    const body = h.connector.createdThreads[0].body as { channelData: { channel: { id: string } } };
    assert.equal(body.channelData.channel.id, channel);
    // The team's group id is kept, so a card whose post was cut short can be looked for through Graph.
    const stored = (await h.storage.read(['supportChannels'])).supportChannels as {
      default: { teamGroupId?: string };
    };
    assert.equal(stored.default.teamGroupId, TEAM_GROUP_ID);
  });
});
