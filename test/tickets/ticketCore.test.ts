import assert from 'node:assert/strict';
import { MemoryStorage } from 'botbuilder';
import { SqliteStorage } from '../../bot/storage/sqliteStorage';
import { backoffDelay, ConversationRateLimiter } from '../../bot/tickets/rateLimiter';
import { StorageTicketRepository } from '../../bot/tickets/storageTicketRepository';
import type { Ticket } from '../../core/tickets/ticket';
import { TicketDesk } from '../../core/tickets/ticketDesk';
import {
  agentMessage,
  close,
  feedback,
  isRefusal,
  leave,
  newTicket,
  reopen,
  resolve,
  take,
  userMessage,
  withdraw,
  type TicketDraft,
} from '../../core/tickets/ticketRules';

const now = new Date('2026-11-22T04:00:00Z');
const user = { id: '29:u', aadObjectId: 'u', name: '佐藤 花子' };
const agent = (n: number) => ({ id: `29:a${n}`, aadObjectId: `a${n}`, name: `Agent ${n}` });
const draft: TicketDraft = {
  requester: user,
  category: 'signin',
  language: 'ja',
  summary: 's',
  details: { screenshots: [] },
  trail: { answers: [], attempts: [] },
};

function ok(result: ReturnType<typeof take>): Ticket {
  assert.ok(!isRefusal(result), JSON.stringify(result));
  return result;
}

describe('ticket rules (core)', () => {
  it('a new ticket is open, with its card owed in the outbox', () => {
    const ticket = newTicket(7, draft, now);
    assert.equal(ticket.status, 'open');
    assert.deepEqual(
      ticket.outbox.map((i) => i.message),
      [{ kind: 'postCard' }],
    );
    assert.equal(ticket.outbox[0].id, '7.1');
  });

  it('follows the life cycle and queues what each change must tell', () => {
    let ticket = newTicket(1, draft, now);
    ticket = ok(take(ticket, agent(1), now));
    assert.equal(ticket.status, 'assigned');
    assert.deepEqual(
      ticket.outbox.slice(1).map((i) => i.message.kind),
      ['toUser', 'updateCard'],
    );
    ticket = ok(agentMessage(ticket, agent(1), 'hello', [], now));
    assert.equal(ticket.status, 'waitingForUser');
    ticket = ok(userMessage(ticket, user, 'hi', [], now));
    assert.equal(ticket.status, 'assigned');
    assert.equal(ticket.events.at(-1)?.kind, 'userMessage');
    ticket = ok(resolve(ticket, agent(1), now));
    assert.equal(ticket.status, 'resolved');
    assert.equal(ticket.relayActive, false);
    ticket = ok(feedback(ticket, user, false, 2, now));
    assert.equal(ticket.status, 'assigned', '"not solved" puts it back to work');
    ticket = ok(close(ticket, agent(2), now));
    assert.equal(ticket.status, 'closed');
    ticket = ok(reopen(ticket, agent(2), now));
    assert.equal(ticket.assignee?.id, '29:a2');
  });

  it('refuses what does not fit the ticket or the person', () => {
    const open = newTicket(1, draft, now);
    const taken = ok(take(open, agent(1), now));
    assert.deepEqual(take(taken, agent(2), now), { refused: 'alreadyTaken', assignee: agent(1) });
    assert.deepEqual(resolve(taken, agent(2), now), { refused: 'notAssignee', assignee: agent(1) });
    assert.deepEqual(withdraw(taken, agent(2), now), { refused: 'notRequester' });
    assert.deepEqual(userMessage(taken, user, '  ', [], now), { refused: 'emptyMessage' });
    assert.deepEqual(feedback(taken, user, true, 5, now), { refused: 'notResolved', status: 'assigned' });
    const closed = ok(withdraw(taken, user, now));
    assert.deepEqual(agentMessage(closed, agent(1), 'x', [], now), {
      refused: 'notActive',
      status: 'closed',
    });
    assert.deepEqual(leave(closed, user, now), { refused: 'notActive', status: 'closed' });
    assert.deepEqual(reopen(taken, agent(1), now), { refused: 'notResolved', status: 'assigned' });
  });

  it('an agent message on an open ticket takes it', () => {
    const ticket = ok(agentMessage(newTicket(1, draft, now), agent(3), 'on it', [], now));
    assert.equal(ticket.assignee?.id, '29:a3');
    assert.deepEqual(
      ticket.events.map((e) => e.kind),
      ['opened', 'taken', 'agentMessage'],
    );
  });
});

for (const [name, makeStorage] of [
  ['MemoryStorage', () => new MemoryStorage()],
  ['SqliteStorage', () => new SqliteStorage(':memory:')],
] as const) {
  describe(`ticket repository on ${name}`, () => {
    it('hands out each number once, even to concurrent creates', async () => {
      const repository = new StorageTicketRepository(makeStorage());
      const tickets = await Promise.all(
        Array.from({ length: 20 }, () => repository.create((n) => newTicket(n, draft, now))),
      );
      assert.deepEqual(
        tickets.map((t) => t.number).sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      assert.equal((await repository.list()).length, 20);
    });

    it('twenty agents take the same ticket at once: exactly one wins', async () => {
      const storage = makeStorage();
      // Reads yield to the event loop, so every take reads the same version before anyone writes.
      const slowStorage = {
        read: async (keys: string[]) => {
          const items = await storage.read(keys);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return items;
        },
        write: storage.write.bind(storage),
        delete: storage.delete.bind(storage),
      };
      const repository = new StorageTicketRepository(slowStorage);
      const desk = new TicketDesk(
        repository,
        () => now,
        () => undefined,
      );
      await desk.open(draft);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => desk.act(1, (t, at) => take(t, agent(i), at))),
      );
      const winners = results.filter((r) => 'ticket' in r);
      assert.equal(winners.length, 1);
      const stored = await desk.get(1);
      for (const r of results.filter((r) => 'refused' in r))
        assert.deepEqual(r, { refused: 'alreadyTaken', assignee: stored!.assignee });
      assert.equal(stored!.events.filter((e) => e.kind === 'taken').length, 1);
    });
  });
}

describe('sending limits and backoff', () => {
  it('keeps a conversation within 7 a second, 60 in 30 seconds', () => {
    let clock = 0;
    const limiter = new ConversationRateLimiter(undefined, () => clock);
    let sent = 0;
    // Send as fast as allowed for 30 seconds of simulated time.
    while (clock < 30_000) {
      const wait = limiter.delayFor('c');
      if (wait > 0) clock += wait;
      else {
        limiter.record('c');
        sent++;
      }
    }
    assert.ok(sent <= 61, `${sent} sends in 30 s`);
    assert.ok(sent >= 55, `${sent} sends in 30 s: the limiter should not be much stricter than Teams`);
    assert.equal(limiter.delayFor('other'), 0, 'limits are per conversation');
  });

  it('backs off exponentially with jitter, up to a ceiling', () => {
    const settings = { baseMs: 1000, maxMs: 8000 };
    assert.equal(
      backoffDelay(1, settings, () => 0),
      500,
    );
    assert.equal(
      backoffDelay(1, settings, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(3, settings, () => 1),
      4000,
    );
    assert.equal(
      backoffDelay(10, settings, () => 1),
      8000,
    );
    assert.ok(backoffDelay(10, settings, () => 0) >= 4000);
  });
});

describe('ticket numbers after a lost counter', () => {
  it('skips a number whose ticket exists instead of overwriting it', async () => {
    const storage = new MemoryStorage();
    const repository = new StorageTicketRepository(storage);
    await repository.create((n) => newTicket(n, draft, now));
    await repository.create((n) => newTicket(n, draft, now));
    // Another instance wrote a stale counter (both saw none at first).
    await storage.write({ 'tickets/counter': { last: 0, eTag: '*' } });
    const third = await repository.create((n) => newTicket(n, { ...draft, summary: 'third' }, now));
    assert.equal(third.number, 3);
    assert.equal((await repository.get(1))?.summary, 's', 'ticket #1 is intact');
  });
});
