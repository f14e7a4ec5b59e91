import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreItem } from 'botbuilder';
import type { CreateOnlyStorage } from '../../../bot/storage/createOnly';
import { SqliteStorage, StorageConflictError } from '../../../bot/storage/sqliteStorage';
import { StorageTicketRepository } from '../../../bot/tickets/storageTicketRepository';
import { TicketDesk } from '../../../core/tickets/ticketDesk';
import { newTicket, take, type TicketDraft } from '../../../core/tickets/ticketRules';
import { Azurite } from '../../helpers/azurite';

/**
 * One contract for every storage backend the bot can run on: eTag conflicts, create-only writes, concurrent
 * writers, large documents, and the ticket repository on top (numbers handed out once, also by two instances on
 * an empty store; one winner among concurrent Takes; listing).
 */
interface Backend {
  name: string;
  before(): Promise<void>;
  after(): Promise<void>;
  /** A fresh, empty store; `shared` opens a second client (another instance) on the store made before it. */
  fresh(): Promise<CreateOnlyStorage>;
  shared(): Promise<CreateOnlyStorage>;
}

const sqlite = (): Backend => {
  let dir = '';
  let file = '';
  const opened: SqliteStorage[] = [];
  const open = () => {
    const storage = new SqliteStorage(file);
    opened.push(storage);
    return storage;
  };
  return {
    name: 'SQLite',
    before: async () => {
      dir = mkdtempSync(join(tmpdir(), 'signin-desk-contract-'));
    },
    after: async () => {
      for (const storage of opened.splice(0)) storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
    fresh: async () => {
      file = join(dir, `${opened.length}.db`);
      return open();
    },
    shared: async () => open(),
  };
};

const blob = (): Backend => {
  const azurite = new Azurite();
  let container = '';
  let count = 0;
  return {
    name: 'Azure Blob Storage (Azurite)',
    before: async () => void (await azurite.start()),
    after: () => azurite.stop(),
    fresh: async () => {
      container = `contract${++count}${Date.now()}`;
      return azurite.storage(container);
    },
    shared: async () => azurite.storage(container),
  };
};

const now = new Date('2026-12-03T04:00:00Z');
const draft: TicketDraft = {
  requester: { id: '29:u', aadObjectId: 'u', name: '佐藤 花子' },
  category: 'signin',
  language: 'ja',
  summary: 's',
  details: { screenshots: [] },
  trail: { answers: [], attempts: [] },
};

for (const make of [sqlite, blob]) {
  const backend = make();
  describe(`storage contract: ${backend.name}`, function () {
    this.timeout(60_000);
    before(() => backend.before());
    after(() => backend.after());

    it('round-trips items with an eTag that changes on every write; missing keys are absent', async () => {
      const storage = await backend.fresh();
      await storage.write({ 'a/1': { n: 1 }, 'conversations/19:x@thread.tacv2;messageid=1': { n: 2 } });
      const first = await storage.read(['a/1', 'conversations/19:x@thread.tacv2;messageid=1', 'missing']);
      assert.equal(first['a/1'].n, 1);
      assert.equal(first['conversations/19:x@thread.tacv2;messageid=1'].n, 2);
      assert.equal(first.missing, undefined);
      assert.ok(first['a/1'].eTag);
      await storage.write({ 'a/1': { n: 3 } });
      const second = await storage.read(['a/1']);
      assert.notEqual(second['a/1'].eTag, first['a/1'].eTag);
    });

    it("rejects a stale eTag and keeps the stored value; '*' or no eTag overwrites", async () => {
      const storage = await backend.fresh();
      await storage.write({ k: { v: 'one' } });
      const read = (await storage.read(['k'])).k;
      await storage.write({ k: { v: 'two', eTag: read.eTag } });
      await assert.rejects(storage.write({ k: { v: 'three', eTag: read.eTag } }), StorageConflictError);
      assert.equal((await storage.read(['k'])).k.v, 'two');
      await storage.write({ k: { v: 'four', eTag: '*' } });
      await storage.write({ k: { v: 'five' } });
      assert.equal((await storage.read(['k'])).k.v, 'five');
    });

    it('writes an item with an eTag when the key is not stored (as MemoryStorage does)', async () => {
      const storage = await backend.fresh();
      await storage.write({ gone: { v: 1, eTag: '"an-old-etag"' } });
      assert.equal((await storage.read(['gone'])).gone.v, 1);
    });

    it('create-only: the first create wins, a second returns false and changes nothing', async () => {
      const storage = await backend.fresh();
      assert.equal(await storage.create('once', { v: 'first' }), true);
      assert.equal(await storage.create('once', { v: 'second' }), false);
      assert.equal((await storage.read(['once'])).once.v, 'first');
    });

    it('create-only from two instances at once: exactly one wins', async () => {
      const one = await backend.fresh();
      const two = await backend.shared();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).create('race', { by: i })),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('concurrent writers with eTags never lose an update (ten increments, retried on conflict)', async () => {
      const one = await backend.fresh();
      const two = await backend.shared();
      await one.write({ counter: { n: 0 } });
      const increment = async (storage: CreateOnlyStorage) => {
        for (;;) {
          const item = (await storage.read(['counter'])).counter as StoreItem;
          try {
            await storage.write({ counter: { n: (item.n as number) + 1, eTag: item.eTag } });
            return;
          } catch (error) {
            if (!(error instanceof StorageConflictError)) throw error;
          }
        }
      };
      await Promise.all(Array.from({ length: 10 }, (_, i) => increment(i % 2 ? one : two)));
      assert.equal((await one.read(['counter'])).counter.n, 10);
    });

    it('stores a large document (1 MB of Japanese text) and deletes it', async () => {
      const storage = await backend.fresh();
      const text = 'サインインできません。'.repeat(35_000);
      await storage.write({ big: { text } });
      assert.equal((await storage.read(['big'])).big.text, text);
      await storage.delete(['big', 'never-there']);
      assert.equal((await storage.read(['big'])).big, undefined);
    });

    it('tickets: two instances on an empty store hand out distinct numbers; list finds them all', async () => {
      const one = new StorageTicketRepository(await backend.fresh());
      const two = new StorageTicketRepository(await backend.shared());
      const tickets = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).create((n) => newTicket(n, draft, now))),
      );
      assert.deepEqual(
        tickets.map((t) => t.number).sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
      assert.equal((await one.list()).length, 12);
      assert.equal((await two.listByRequester(draft.requester)).length, 12);
    });

    it('tickets: the same confirm card sent on two instances at once opens one ticket', async () => {
      const one = new StorageTicketRepository(await backend.fresh());
      const two = new StorageTicketRepository(await backend.shared());
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? one : two).createOnce('confirm-card-1', (n) => newTicket(n, draft, now)),
        ),
      );
      assert.equal(new Set(results.map((r) => r.ticket.number)).size, 1);
      assert.equal(results.filter((r) => !r.existed).length, 1);
      assert.equal((await one.list()).length, 1);
    });

    it('tickets: agents on two instances press Take at once; exactly one wins', async () => {
      const deskOne = new TicketDesk(
        new StorageTicketRepository(await backend.fresh()),
        () => now,
        () => undefined,
      );
      const deskTwo = new TicketDesk(
        new StorageTicketRepository(await backend.shared()),
        () => now,
        () => undefined,
      );
      await deskOne.open(draft);
      const agent = (n: number) => ({ id: `29:a${n}`, aadObjectId: `a${n}`, name: `Agent ${n}` });
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? deskOne : deskTwo).act(1, (t, at) => take(t, agent(i), at)),
        ),
      );
      assert.equal(results.filter((r) => 'ticket' in r).length, 1);
    });
  });
}
