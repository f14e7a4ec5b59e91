import assert from 'node:assert/strict';
import { silentLogger, type Logger } from '../../bot/logger';
import { GraphDirectory } from '../../bot/directory/graphDirectory';
import { SandboxGraphServer } from '../../sandbox/sandboxGraphServer';
import { channelMessageOf } from '../helpers/sandbox';
import type { RecordedCall } from '../helpers/fakeConnector';
import { HANAKO, SUPPORT_CHANNEL, TEAM_GROUP_ID, TicketHarness } from './ticketHarness';

/**
 * The channel card is posted once even when Teams' answer to the post is lost (a crash, a gateway timeout): the
 * outbox looks for the card in the channel through Graph before it posts again.
 */
const isThreadPost = (call: RecordedCall) => call.method === 'POST' && call.path === '/v3/conversations';

describe('The channel card is posted once (HTTP, Graph on loopback)', function () {
  this.timeout(20_000);
  let h: TicketHarness;
  let sandbox: SandboxGraphServer;
  let warnings: { message: string; fields?: Record<string, unknown> }[];

  const logger = (): Logger => ({
    ...silentLogger,
    warn: (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields }),
  });

  beforeEach(async () => {
    warnings = [];
    sandbox = await SandboxGraphServer.start();
  });
  afterEach(async () => {
    await h?.stop();
    await sandbox.close();
  });

  async function harness(env: Record<string, string>): Promise<TicketHarness> {
    const log = logger();
    h = await new TicketHarness({
      env,
      logger: log,
      channelPosts: new GraphDirectory({ baseUrl: sandbox.url, logger: log, maxAttempts: 1 }),
    }).start();
    // What the bot posts in a channel shows up in Graph's channel messages, as in Teams.
    h.connector.onThreadCreated = (thread) =>
      sandbox.addChannelMessage(TEAM_GROUP_ID, thread.channelId, channelMessageOf(thread));
    return h;
  }

  it('a post whose answer was lost is found in the channel and not posted again', async () => {
    await harness({ SUPPORT_TEAM_GROUP_ID: TEAM_GROUP_ID });
    h.connector.loseAnswerOfNext(isThreadPost, 504);
    await h.escalate(HANAKO, { errorMessage: '0xCAA70004' });
    const ticket = await h.settled(1);
    assert.equal(h.connector.createdThreads.length, 1, 'one card in the channel');
    // The ticket points at the card that is in the channel, so Take, updates and the thread work.
    assert.equal(
      ticket.card?.threadConversationId,
      `${SUPPORT_CHANNEL};messageid=${ticket.card?.activityId}`,
    );
    const posted = h.connector.createdThreads[0].body.activity as { attachments: unknown[] };
    // The card carries the marker it was found by.
    assert.match(JSON.stringify(posted.attachments), /"post":"[0-9a-f-]{36}"/);
    const lookups = sandbox.requests.filter((r) => r.path.includes('/messages/delta'));
    assert.equal(lookups.length, 1);
    assert.match(decodeURIComponent(lookups[0].path), /\$filter=lastModifiedDateTime gt \d{4}-/);
    assert.ok(warnings.some((w) => /found the ticket card/.test(w.message)));
    // The card's buttons act on it as usual.
    const take = await h.execute(HANAKO, ticket.card!.threadConversationId, 'ticket.take', { ticket: 1 });
    assert.equal(take.status, 200);
    assert.equal((await h.settled(1)).status, 'assigned');
  });

  it('a post that failed before reaching Teams is posted again after the lookup finds nothing', async () => {
    await harness({ SUPPORT_TEAM_GROUP_ID: TEAM_GROUP_ID });
    h.connector.failNext(isThreadPost, 502);
    await h.escalate(HANAKO, { errorMessage: '0xCAA70004' });
    const ticket = await h.settled(1);
    assert.equal(h.connector.createdThreads.length, 1);
    assert.ok(ticket.card);
    assert.equal(sandbox.requests.filter((r) => r.path.includes('/messages/delta')).length, 1);
  });

  it('when the channel cannot be searched, the card is posted again and the risk is logged', async () => {
    // No team group id: nothing to search.
    await harness({});
    h.connector.loseAnswerOfNext(isThreadPost, 504);
    await h.escalate(HANAKO, { errorMessage: '0xCAA70004' });
    await h.settled(1);
    assert.equal(h.connector.createdThreads.length, 2, 'at least once: a card may show twice');
    assert.ok(
      warnings.some((w) => /cannot be searched/.test(w.message)),
      JSON.stringify(warnings),
    );
    await h.stop();

    // Graph refuses (the app was not granted ChannelMessage.Read.Group): the same, with Graph's refusal logged.
    warnings = [];
    sandbox.injectFault({ match: '/messages/delta', status: 403 });
    await harness({ SUPPORT_TEAM_GROUP_ID: TEAM_GROUP_ID });
    h.connector.loseAnswerOfNext(isThreadPost, 504);
    await h.escalate(HANAKO, { errorMessage: '0xCAA70004' });
    await h.settled(1);
    assert.equal(h.connector.createdThreads.length, 2);
    assert.ok(warnings.some((w) => /could not search the channel/.test(w.message)));
  });
});
