import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageTicketRepository } from '../../bot/tickets/storageTicketRepository';
import { Azurite } from '../helpers/azurite';
import { FakeConnector, postActivity } from '../helpers/fakeConnector';
import { freePort } from '../helpers/ports';
import { startBotProcess } from '../helpers/botProcess';

const SUPPORT_CHANNEL = '19:support-two@thread.tacv2';
const TENANT = '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const HANAKO = { id: '29:hanako', name: '佐藤 花子', aadObjectId: '1a000000-0000-4000-8000-0000000000a1' };
const agent = (n: number) => ({
  id: `29:agent-${n}`,
  name: `Agent ${n}`,
  aadObjectId: `2b000000-0000-4000-8000-00000000000${n}`,
});

describe('Two bot processes on one Azure Blob container (Azurite)', function () {
  this.timeout(120_000);
  const azurite = new Azurite();
  let connector: FakeConnector;
  let dataDir: string;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  const container = `two${Date.now()}`;

  before(async () => {
    await azurite.start();
    connector = await new FakeConnector().start();
    dataDir = mkdtempSync(join(tmpdir(), 'signin-desk-two-'));
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      children.push(
        (
          await startBotProcess(port, {
            AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
            AZURE_STORAGE_CONTAINER: container,
            SUPPORT_CHANNEL_ID: SUPPORT_CHANNEL,
            DATA_DIR: join(dataDir, String(i)),
          })
        ).child,
      );
      urls.push(`http://127.0.0.1:${port}`);
    }
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await connector.stop();
    await azurite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const base = (from: object, conversation: object) => ({
    channelId: 'msteams',
    serviceUrl: `${connector.url}/`,
    locale: 'ja-JP',
    from,
    recipient: { id: '28:sign-in-desk', name: 'Sign-in Desk' },
    conversation: { tenantId: TENANT, ...conversation },
    channelData: { tenant: { id: TENANT } },
  });
  const personal = { id: 'a:hanako-two', conversationType: 'personal' };
  /** Hanako's turns go to the two instances in turn, as a load balancer without affinity would send them. */
  let turn = 0;
  const hanako = async (fields: { text?: string; value?: Record<string, unknown> }) => {
    const url = urls[turn++ % 2];
    const response = await postActivity(url, {
      type: 'message',
      id: `m-${turn}`,
      text: fields.text ?? '',
      ...(fields.value ? { value: fields.value } : {}),
      ...base(HANAKO, personal),
    });
    assert.equal(response.status, 200);
  };

  it('a conversation alternating between instances stays correct; two Takes at once have one winner; one card', async () => {
    await hanako({ text: '担当者と話したい' });
    await hanako({
      value: { action: 'ticket.details', errorMessage: '0xCAA70004', device: 'Windows 11', browser: 'Edge' },
    });
    await hanako({ value: { action: 'ticket.screenshot', choice: 'none' } });
    await hanako({ value: { action: 'ticket.confirm', choice: 'send' } });
    const toHanako = () => connector.postsTo(personal.id).map((a) => String(a.text ?? ''));
    await connector.waitFor(
      () => toHanako().some((text) => text.includes('#1')),
      10_000,
      'the ticket number',
    );
    // The same Send again, on the other instance: the first ticket, not a second one.
    await hanako({ value: { action: 'ticket.confirm', choice: 'send' } });

    const repository = new StorageTicketRepository(await azurite.storage(container));
    let ticket = await repository.get(1);
    for (const deadline = Date.now() + 20_000; !ticket?.card && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ticket = await repository.get(1);
    }
    assert.ok(ticket?.card, 'the card was posted and recorded');
    const thread = `${SUPPORT_CHANNEL};messageid=${ticket!.card!.activityId}`;

    const take = (n: number) =>
      postActivity(urls[n % 2], {
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: `i-${n}`,
        replyToId: ticket!.card!.activityId,
        value: {
          action: { type: 'Action.Execute', verb: 'ticket.take', data: { ticket: 1, verb: 'ticket.take' } },
        },
        ...base(agent(n), { id: thread, conversationType: 'channel', isGroup: true }),
      });
    const answers = await Promise.all([take(1), take(2)]);
    const cards = answers.filter(
      (a) => JSON.parse(a.body).type === 'application/vnd.microsoft.card.adaptive',
    );
    assert.equal(cards.length, 1, answers.map((a) => a.body.slice(0, 120)).join('\n'));

    // Both outboxes have had time to run: the card was posted once, and there is one ticket.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(connector.createdThreads.length, 1, 'one card in the channel');
    assert.equal((await repository.list()).length, 1, 'one ticket');
    assert.ok(toHanako().filter((text) => text.includes('#1')).length >= 2, 'the second Send was told #1');
    const stored = (await repository.get(1))!;
    assert.equal(stored.status, 'assigned');
  });
});
