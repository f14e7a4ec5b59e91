import assert from 'node:assert/strict';
import type { App } from '../../bot/app';
import type { Ticket } from '../../core/tickets/ticket';
import { startBotWithPlayground, until, type PlaygroundRun, type SentActivity } from '../helpers/playground';
import { loadCatalog, stringsOf, submitDataOf, type CardContent } from '../helpers/testBot';

/**
 * Escalation to a support agent in the Microsoft 365 Agents Playground: the real server, the Playground's
 * connector (it creates the ticket's thread in its team channel and takes the card updates), driven through the
 * Playground's own HTTP API as the user and the agent would click and type. The API is internal to the
 * Playground, so its version is pinned in package.json. In the Playground the channel's messages always come from
 * its currentUser; only invokes keep the `from` they are sent with, so the agent who takes the ticket is the yml's
 * user-id-11.
 */
const CHAT = 'personal-chat-id'; // .m365agentsplayground.yml
const SUPPORT_CHANNEL = 'channel-support-desk-id'; // the yml's team channel
const USER = 'user-id-0'; // the yml's currentUser, 佐藤 花子
const AGENT = 'user-id-11'; // 森 さくら (サポート担当)
const AGENT_NAME = '森 さくら (サポート担当)';
const BOT = { id: '00000000-0000-0000-0000-00000000b07d', name: 'Sign-in Desk' };

const t = (key: string, params?: Record<string, string | number>) => loadCatalog().text('ja', key, params);

const mentions = (value: unknown, text: string) => stringsOf(value).some((s) => s.includes(text));

describe('Agents Playground end to end: escalation to a support agent', function () {
  this.timeout(60_000);
  let run: PlaygroundRun;
  let app: App;
  let sent: SentActivity[];
  let post: PlaygroundRun['post'];

  before(async () => {
    run = await startBotWithPlayground({ SUPPORT_CHANNEL_ID: SUPPORT_CHANNEL });
    ({ app, sent, post } = run);
  });

  after(async () => {
    await run?.stop();
  });

  const sentTo = (conversation: string, after = 0) =>
    sent.slice(after).filter((s) => s.conversation === conversation);

  /** Waits for a message from the bot in personal chat that `matches`, sent after `mark`. */
  function nextInChat(mark: number, what: string, matches: (s: (typeof sent)[number]) => boolean) {
    return until(what, () => sentTo(CHAT, mark).find(matches));
  }

  const withCard = (s: (typeof sent)[number]) => Boolean(s.activity.attachments?.length);
  const cardOf = (s: (typeof sent)[number]) => s.activity.attachments![0].content as CardContent;
  const withText = (text: string) => (s: (typeof sent)[number]) => s.activity.text === text;

  async function say(text: string): Promise<number> {
    const mark = sent.length;
    await post(`/_conversation/v1/conversations/${CHAT}/messages`, {
      from: { id: USER },
      text,
      textFormat: 'plain',
    });
    return mark;
  }

  async function submit(replyToId: string, value: Record<string, string>): Promise<number> {
    const mark = sent.length;
    await post('/_conversation/v1/submit', {
      conversation: { id: CHAT },
      from: { id: USER },
      replyToId,
      value,
    });
    return mark;
  }

  /** Presses an Action.Execute button of the ticket's card in its thread, as the agent. */
  async function execute(
    ticket: Ticket,
    verb: string,
    data: Record<string, unknown> = {},
  ): Promise<{ type?: string; value?: unknown }> {
    const text = await post('/_conversation/v1/invoke', {
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data: { ticket: ticket.number, ...data, verb } } },
      from: { id: AGENT },
      conversation: { id: ticket.card!.threadConversationId },
      replyToId: ticket.card!.activityId,
    });
    return JSON.parse(text) as { type?: string; value?: unknown };
  }

  /** The stored ticket once the outbox has delivered everything queued on it and `holds` is true. */
  function settled(number: number, what: string, holds: (ticket: Ticket) => boolean = () => true) {
    return until(`ticket #${number}: ${what}`, async () => {
      await app.outbox.idle();
      const ticket = await app.tickets.desk.get(number);
      return ticket && ticket.outbox.length === 0 && holds(ticket) ? ticket : undefined;
    });
  }

  it('escalates from personal chat, relays both ways through the channel thread, resolves and is rated', async () => {
    // 1. The user asks for a person; the form, "no screenshot", the summary, send.
    let mark = await say('担当者と話したい');
    const form = await nextInChat(mark, 'the form', withCard);
    assert.ok(stringsOf(cardOf(form)).includes(t('escalation.form.title')));
    mark = await submit(form.id, {
      action: 'ticket.details',
      errorMessage: 'エラー コード 0xCAA70004',
      stepsTried: 'PC を再起動した',
      device: 'Windows 11',
      browser: 'Edge 131',
    });
    const screenshot = await nextInChat(mark, 'the screenshot question', withCard);
    assert.ok(stringsOf(cardOf(screenshot)).includes(t('escalation.screenshot.title')));
    mark = await submit(screenshot.id, { action: 'ticket.screenshot', choice: 'none' });
    const summary = await nextInChat(mark, 'the summary', withCard);
    assert.ok(stringsOf(cardOf(summary)).includes(t('escalation.summary.title')));
    assert.ok(mentions(cardOf(summary), 'エラー コード 0xCAA70004'));
    assert.ok(
      submitDataOf(cardOf(summary)).some((d) => d.action === 'ticket.confirm' && d.choice === 'send'),
    );
    mark = await submit(summary.id, { action: 'ticket.confirm', choice: 'send' });
    await nextInChat(mark, 'the ticket number', withText(t('escalation.created', { label: '#1' })));

    // 2. The card went to the Playground's support channel as the root of a new thread.
    let ticket = await settled(1, 'the card in the channel', (x) => x.card !== undefined);
    assert.equal(ticket.status, 'open');
    assert.equal(ticket.card!.channelId, SUPPORT_CHANNEL);
    assert.ok(ticket.card!.activityId);
    assert.equal(
      ticket.card!.threadConversationId,
      `${SUPPORT_CHANNEL};messageid=${ticket.card!.activityId}`,
    );
    assert.equal(ticket.requester.id, USER);

    // 3. The agent presses Take in the thread: the invoke answer is the updated card, the user is told.
    mark = sent.length;
    const taken = await execute(ticket, 'ticket.take');
    assert.equal(taken.type, 'application/vnd.microsoft.card.adaptive');
    assert.ok(
      mentions(
        taken.value,
        t('ticket.statusWithAssignee', { status: t('ticket.status.assigned'), assignee: AGENT_NAME }),
      ),
      `the card shows who took it: ${stringsOf(taken.value).join(' | ')}`,
    );
    ticket = await settled(1, 'taken', (x) => x.status === 'assigned');
    assert.equal(ticket.assignee?.id, AGENT);
    await nextInChat(
      mark,
      'the "taken" notice',
      withText(t('ticket.user.taken', { label: '#1', agent: AGENT_NAME })),
    );

    // 4. The agent writes in the thread, mentioning the bot; the bot delivers it to the user's personal chat.
    mark = sent.length;
    const agentText = 'サインアウトしてから、もう一度サインインしてください。';
    await post(
      `/_conversation/v1/conversations/${encodeURIComponent(ticket.card!.threadConversationId)}/messages`,
      {
        from: { id: USER },
        text: `<at>${BOT.name}</at> ${agentText}`,
        textFormat: 'plain',
        mentions: [{ mentioned: BOT, text: `<at>${BOT.name}</at>` }],
      },
    );
    const delivered = await nextInChat(mark, "the agent's message", (s) => mentions(s.activity, agentText));
    assert.ok(mentions(delivered.activity, t('ticket.user.messageHeading', { label: '#1' })));
    ticket = await settled(1, 'waiting for the user', (x) => x.status === 'waitingForUser');
    assert.equal(ticket.events.at(-1)?.kind, 'agentMessage');

    // 5. The user answers in personal chat: it goes to the thread.
    const userText = 'やってみましたが、まだ 0xCAA70004 が出ます';
    mark = await say(userText);
    await nextInChat(mark, 'the relay hint', withText(t('ticket.user.relayHint', { label: '#1' })));
    ticket = await settled(1, "the user's message relayed", (x) => x.events.at(-1)?.kind === 'userMessage');
    assert.equal(ticket.status, 'assigned');
    assert.equal(ticket.events.at(-1)?.text, userText);
    assert.ok(
      sentTo(ticket.card!.threadConversationId, mark).some((s) => mentions(s.activity, userText)),
      "the user's message was posted in the ticket's thread",
    );

    // 6. Resolve; the user gets the feedback card and answers it.
    mark = sent.length;
    const resolved = await execute(ticket, 'ticket.resolve');
    assert.equal(resolved.type, 'application/vnd.microsoft.card.adaptive');
    assert.ok(mentions(resolved.value, t('ticket.status.resolved')));
    const feedbackCard = await nextInChat(
      mark,
      'the feedback card',
      (s) => withCard(s) && mentions(s.activity, t('ticket.user.resolvedText')),
    );
    await settled(1, 'resolved', (x) => x.status === 'resolved');
    mark = await submit(feedbackCard.id, {
      action: 'ticket.feedback',
      ticket: '1',
      solved: 'yes',
      rating: '5',
    });
    await nextInChat(mark, 'the thanks', withText(t('ticket.user.feedbackThanks', { label: '#1' })));
    ticket = await settled(1, 'the feedback', (x) => x.feedback !== undefined);
    assert.equal(ticket.status, 'resolved');
    assert.deepEqual(ticket.feedback, { solved: true, rating: 5 });
    assert.ok(
      sentTo(ticket.card!.threadConversationId).some(
        (s) => s.activity.text === t('ticket.thread.solved', { label: '#1', rating: '5' }),
      ),
      "the user's answer was posted in the thread",
    );
    assert.deepEqual(
      ticket.events.map((e) => e.kind),
      ['opened', 'taken', 'agentMessage', 'userMessage', 'resolved', 'feedback'],
    );
  });
});
