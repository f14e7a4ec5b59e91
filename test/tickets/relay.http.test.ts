import assert from 'node:assert/strict';
import { loadCatalog } from '../helpers/testBot';
import { HANAKO, KEN, PERSONAL, SAKURA, TicketHarness, mentions } from './ticketHarness';

const t = (key: string, params?: Record<string, string | number>) => loadCatalog().text('ja', key, params);

async function openTicket(h: TicketHarness, number: number, errorMessage = 'エラー'): Promise<string> {
  await h.escalate(HANAKO, { errorMessage });
  return (await h.settled(number)).card!.threadConversationId;
}

describe('Talking through the bot: the relay and its edges (HTTP)', function () {
  this.timeout(20_000);
  let h: TicketHarness;
  afterEach(async () => h?.stop());

  it('help and cancel stay the bot\'s during a relay; "#n" picks the ticket; replies go to the agent who wrote last', async () => {
    h = await new TicketHarness().start();
    const first = await openTicket(h, 1);
    await h.userSays(HANAKO, '終了'); // leave #1's (not yet started) relay state alone
    const second = await openTicket(h, 2);
    await h.execute(SAKURA, first, 'ticket.take', { ticket: 1 });
    await h.execute(KEN, second, 'ticket.take', { ticket: 2 });
    await h.channelSays(SAKURA, first, '#1 についての質問です');
    await h.settled(1);
    // The user answers: it goes to #1, whose agent wrote last.
    await h.userSays(HANAKO, 'はい、そうです');
    await h.settled(1);
    assert.ok(mentions(h.connector.postsTo(first).at(-1), 'はい、そうです'));
    // "#2 …" addresses the other ticket, without the prefix.
    await h.userSays(HANAKO, '#2 こちらは別の件です');
    const ticket2 = await h.settled(2);
    assert.ok(mentions(h.connector.postsTo(second).at(-1), 'こちらは別の件です'));
    assert.equal(ticket2.events.at(-1)?.text, 'こちらは別の件です');
    // Help is the bot's, not a message for the agent.
    const before = h.connector.postsTo(first).length + h.connector.postsTo(second).length;
    await h.userSays(HANAKO, 'ヘルプ');
    assert.ok(mentions(h.connector.postsTo(PERSONAL(HANAKO)).at(-1), t('help.title')));
    await h.settled(1);
    await h.settled(2);
    assert.equal(h.connector.postsTo(first).length + h.connector.postsTo(second).length, before);
  });

  it('adding information keeps the conversation with the agent going; a second rating is refused', async () => {
    h = await new TicketHarness().start();
    const thread = await openTicket(h, 1);
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    await h.userClicks(HANAKO, { action: 'ticket.addInfo', ticket: '1', info: 'PC 名は TKY-001 です' });
    let ticket = await h.settled(1);
    assert.equal(ticket.relayActive, true);
    assert.equal(ticket.events.at(-1)?.kind, 'userInfo');
    await h.userSays(HANAKO, 'まだ待っています');
    ticket = await h.settled(1);
    assert.equal(ticket.events.at(-1)?.kind, 'userMessage');

    await h.execute(SAKURA, thread, 'ticket.resolve', { ticket: 1 });
    await h.settled(1);
    await h.userClicks(HANAKO, { action: 'ticket.feedback', ticket: '1', solved: 'yes', rating: '4' });
    await h.userClicks(HANAKO, { action: 'ticket.feedback', ticket: '1', solved: 'yes', rating: '1' });
    assert.equal(
      h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text,
      t('ticket.refused.alreadyAnswered', { label: '#1' }),
    );
    ticket = await h.settled(1);
    assert.deepEqual(ticket.feedback, { solved: true, rating: 4 });
  });

  it('a PC check pasted while talking to the agent goes to them, and onto the card as facts', async () => {
    h = await new TicketHarness().start();
    const thread = await openTicket(h, 1);
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    await h.settled(1);
    const check = [
      '===== Sign-in Desk PC check v1 =====',
      'windows: Microsoft Windows 11 Pro | 10.0.22631',
      'office.identities: taro@outlook.com (LiveId)',
      'join: azuread=YES domain=NO workplace=NO prt=YES',
      '===== end =====',
    ].join('\n');
    await h.userSays(HANAKO, check);
    const ticket = await h.settled(1);
    assert.equal(ticket.events.at(-1)?.kind, 'userMessage');
    assert.equal(ticket.trail.pcCheck?.facts.officeAccounts[0]?.email, 'taro@outlook.com');
    const card = JSON.stringify(h.connector.updates.at(-1));
    assert.ok(card.includes(t('pcCheck.facts.personalAccount', { email: 'taro@outlook.com' })), card);
    assert.ok(card.includes(t('pcCheck.facts.join.azureAd')), card);
  });

  it('a PC check pasted after Send, before an agent takes it, goes onto that request', async () => {
    h = await new TicketHarness().start();
    await openTicket(h, 1);
    await h.userSays(
      HANAKO,
      '===== Sign-in Desk PC check v1 =====\noffice.identities: taro@outlook.com (LiveId)\n===== end =====',
    );
    const ticket = await h.settled(1);
    assert.equal(ticket.trail.pcCheck?.facts.officeAccounts[0]?.email, 'taro@outlook.com');
    assert.equal(ticket.events.at(-1)?.kind, 'userInfo');
    assert.equal(
      h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text,
      t('pcCheck.attachedToTicket', { label: '#1' }),
    );
  });

  it('"my tickets" in a group chat points to the personal chat instead of listing tickets to everyone', async () => {
    h = await new TicketHarness().start();
    await openTicket(h, 1);
    await h.groupSays(HANAKO, '19:group@thread.v2', 'my tickets');
    assert.equal(h.connector.postsTo('19:group@thread.v2').at(-1)?.text, t('ticket.mine.personalOnly'));
  });

  it('a typed answer to the form fills the error message and shows the form again', async () => {
    h = await new TicketHarness().start();
    await h.userSays(HANAKO, '担当者と話したい');
    await h.userSays(HANAKO, '0xCAA70004 と表示されます');
    const posts = h.connector.postsTo(PERSONAL(HANAKO));
    assert.equal(posts.at(-2)?.text, t('escalation.form.typed'));
    assert.ok(mentions(posts.at(-1), t('escalation.form.title')));
    assert.ok(JSON.stringify(posts.at(-1)).includes('"value":"0xCAA70004 と表示されます"'));
  });

  it("long messages in Japanese never break the agents' card", async () => {
    h = await new TicketHarness().start();
    const long = 'サインインできません。'.repeat(200);
    const thread = await openTicket(h, 1, long.slice(0, 1000));
    for (let i = 0; i < 4; i++) {
      const answer = await h.execute(SAKURA, thread, 'ticket.reply', { ticket: 1, reply: long });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.type, 'application/vnd.microsoft.card.adaptive');
      await h.userSays(HANAKO, long);
    }
    const ticket = await h.settled(1);
    assert.equal(ticket.outbox.length, 0);
    const update = h.connector.updates.at(-1)!;
    assert.ok(Buffer.byteLength(JSON.stringify(update.body)) < 40 * 1024);
  });

  it('a thread or card that is gone (404) does not block the ticket; a refused channel post is retried, never dropped', async () => {
    h = await new TicketHarness().start();
    h.connector.failNext((c) => c.path === '/v3/conversations', 403, 2);
    const thread = await openTicket(h, 1);
    assert.equal(h.connector.createdThreads.length, 1, 'posted after two refusals');
    h.connector.failNext((c) => c.method === 'PUT', 404, 5);
    h.connector.failNext((c) => c.conversationId === thread, 404, 5);
    await h.execute(SAKURA, thread, 'ticket.take', { ticket: 1 });
    await h.userSays(HANAKO, 'こんにちは');
    const ticket = await h.settled(1);
    assert.equal(ticket.outbox.length, 0);
    assert.ok(
      h.connector
        .postsTo(PERSONAL(HANAKO))
        .some((p) => p.text === t('ticket.user.taken', { label: '#1', agent: '森 さくら' })),
    );
  });
});

describe('Pasted screenshots (HTTP)', function () {
  this.timeout(20_000);
  let h: TicketHarness;
  afterEach(async () => h?.stop());

  it("are copied by the bot, so the agent gets a link that opens without the bot's token", async () => {
    h = await new TicketHarness().start();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    h.connector.files.set('img-1', { contentType: 'image/png', body: png });
    await h.userSays(HANAKO, '担当者と話したい');
    await h.userClicks(HANAKO, { action: 'ticket.details', errorMessage: 'エラー' });
    await h.userSays(HANAKO, '', {
      attachments: [
        {
          contentType: 'image/*',
          contentUrl: `${h.connector.url}/v3/attachments/img-1/views/original`,
          name: 'image.png',
        },
      ],
    });
    await h.userClicks(HANAKO, { action: 'ticket.confirm', choice: 'send' });
    const ticket = await h.settled(1);
    const url = ticket.details.screenshots[0].url;
    const token = /\/attachments\/([0-9a-f]{32})$/.exec(url)?.[1];
    assert.ok(token, url);
    const response = await fetch(`${h.botUrl}/attachments/${token}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), png);
    assert.ok(mentions(h.connector.createdThreads[0].body, url), 'the agent card links the copy');
    assert.equal((await fetch(`${h.botUrl}/attachments/${'0'.repeat(32)}`)).status, 404);
    assert.equal((await fetch(`${h.botUrl}/attachments/..%2F..%2Fstate.sqlite`)).status, 404);
  });
});

describe("The relay next to the bot's own questions (HTTP)", function () {
  this.timeout(20_000);
  let h: TicketHarness;
  afterEach(async () => h?.stop());

  it('words go to the agent even while a diagnosis waits; 「終了」 then cancels the diagnosis, "#1 end" leaves', async () => {
    h = await new TicketHarness().start();
    const first = await openTicket(h, 1);
    await h.execute(SAKURA, first, 'ticket.take', { ticket: 1 });
    await h.userSays(HANAKO, 'Outlook にサインインできない'); // goes to the agent: the relay is on
    await h.settled(1);
    assert.ok(mentions(h.connector.postsTo(first).at(-1), 'Outlook にサインインできない'));
    await h.userSays(HANAKO, '終了'); // no diagnosis waiting: leaves the conversation
    assert.equal(h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text, t('ticket.user.left', { label: '#1' }));
    await h.channelSays(SAKURA, first, 'もう一度お願いします'); // the agent writes: the relay is on again
    await h.settled(1);
    await h.userSays(HANAKO, 'start'); // a command stays the bot's: a diagnosis starts
    await h.userSays(HANAKO, '#1 TKY-001 です'); // a named ticket always reaches the agent
    await h.settled(1);
    assert.ok(mentions(h.connector.postsTo(first).at(-1), 'TKY-001 です'));
    await h.userSays(HANAKO, '終了'); // with the diagnosis waiting, 「終了」 is its cancel
    assert.equal(h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text, t('cancel.done'));
    assert.equal((await h.settled(1)).relayActive, true);
    await h.userSays(HANAKO, '#1 end');
    assert.equal(h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text, t('ticket.user.left', { label: '#1' }));
  });

  it('"#2 …" for a ticket nobody is talking about adds information to #2, not to the conversation on #1', async () => {
    h = await new TicketHarness().start();
    const first = await openTicket(h, 1);
    await h.execute(SAKURA, first, 'ticket.take', { ticket: 1 });
    await h.userSays(HANAKO, '終了');
    await openTicket(h, 2);
    await h.channelSays(SAKURA, first, '#1 の件で質問です');
    await h.settled(1);
    await h.userSays(HANAKO, '#2 PC 名は TKY-9 です');
    assert.equal(
      h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text,
      t('ticket.user.infoAdded', { label: '#2' }),
    );
    assert.equal((await h.settled(2)).events.at(-1)?.text, 'PC 名は TKY-9 です');
    assert.ok(!(await h.settled(1)).events.some((e) => e.text?.includes('TKY-9')));
    await h.userSays(HANAKO, '#9 こんにちは');
    assert.equal(
      h.connector.postsTo(PERSONAL(HANAKO)).at(-1)?.text,
      t('ticket.refused.notFound', { label: '#9' }),
    );
  });

  it('a picture pasted at the form is kept as the screenshot', async () => {
    h = await new TicketHarness().start();
    await h.userSays(HANAKO, '担当者と話したい');
    await h.userSays(HANAKO, 'この画面です', {
      attachments: [
        { contentType: 'image/png', contentUrl: 'https://contoso.sharepoint.com/e.png', name: 'e.png' },
      ],
    });
    await h.userClicks(HANAKO, { action: 'ticket.details', errorMessage: 'この画面です', device: 'PC' });
    assert.ok(mentions(h.connector.postsTo(PERSONAL(HANAKO)).at(-1), t('escalation.screenshot.keep')));
    await h.userClicks(HANAKO, { action: 'ticket.screenshot', choice: 'keep' });
    await h.userClicks(HANAKO, { action: 'ticket.confirm', choice: 'send' });
    const ticket = await h.settled(1);
    assert.deepEqual(ticket.details.screenshots, [
      { name: 'e.png', url: 'https://contoso.sharepoint.com/e.png' },
    ]);
  });
});

describe('Routing by category (HTTP)', function () {
  this.timeout(20_000);
  let h: TicketHarness;
  afterEach(async () => h?.stop());

  it("a ticket goes to its category's channel when one is set, else to the general one", async () => {
    h = await new TicketHarness({
      env: { SUPPORT_CHANNEL_ID_SIGNIN: '19:signin@thread.tacv2' },
    }).start();
    // A sign-in diagnosis that ends with a person: category "signin".
    await h.userSays(HANAKO, 'Office 2016 にサインインできない');
    await h.escalate(HANAKO, { errorMessage: 'x' });
    const signin = await h.settled(1);
    assert.equal(signin.category, 'signin');
    assert.equal(signin.card?.channelId, '19:signin@thread.tacv2');
    // No diagnosis: category "other", the general channel.
    await h.escalate(KEN, { errorMessage: 'y' });
    const other = await h.settled(2);
    assert.equal(other.category, 'other');
    assert.equal(other.card?.channelId, '19:support-desk@thread.tacv2');
  });
});
