import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { StoreItem, StoreItems } from 'botbuilder';
import type { CreateOnlyStorage } from './createOnly';

/**
 * Thrown when a write carries an eTag that no longer matches the stored item, i.e. someone else
 * wrote the key since it was read. The message names the key only: values may hold user data.
 */
export class StorageConflictError extends Error {
  constructor(readonly key: string) {
    super(`Storage: eTag conflict writing ${JSON.stringify(key)}; the item changed since it was read.`);
    this.name = 'StorageConflictError';
  }
}

interface Row {
  etag: string;
  value: string;
}

/**
 * botbuilder `Storage` on a single SQLite file, with the eTag semantics of botbuilder's MemoryStorage:
 * - every write stores a fresh eTag, and `read` returns it on the item;
 * - an item with no eTag (or '*') always writes; so does one whose key is not stored yet;
 * - an item whose eTag differs from the stored one throws `StorageConflictError`.
 * Unlike MemoryStorage, a `write` call is atomic: one conflict and nothing of the batch is written.
 */
export class SqliteStorage implements CreateOnlyStorage {
  private readonly db: Database.Database;
  private readonly selectOne: Database.Statement<[string], Row>;
  private readonly upsert: Database.Statement<[string, string, string, string]>;
  private readonly deleteOne: Database.Statement<[string]>;
  private readonly insertOnly: Database.Statement<[string, string, string, string]>;

  constructor(
    readonly path: string,
    /** `full` also survives power loss, at one fsync per write (see SQLITE_SYNCHRONOUS in README.md). */
    durability: 'normal' | 'full' = 'normal',
  ) {
    // '' is better-sqlite3's anonymous temporary database; neither it nor ':memory:' has a directory.
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    // The busy timeout lets a second process (or a second instance on the same file) wait for the
    // write lock instead of failing at once with SQLITE_BUSY.
    this.db = new Database(path, { timeout: 5000 });
    // WAL: readers do not block the writer, and a commit is one append to the log.
    this.db.pragma('journal_mode = WAL');
    // WAL + NORMAL survives `kill -9` and never corrupts the file (a commit is in the OS once write()
    // returns); it can lose the last commits on power loss or an OS crash. FULL also fsyncs the log
    // on every commit, which blocks the event loop once per turn: a third of the time under load.
    this.db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS bot_state (
      key TEXT PRIMARY KEY,
      etag TEXT NOT NULL,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`);
    this.selectOne = this.db.prepare<[string], Row>('SELECT etag, value FROM bot_state WHERE key = ?');
    this.upsert = this.db.prepare<[string, string, string, string]>(
      `INSERT INTO bot_state (key, etag, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, value = excluded.value,
         updated_at = excluded.updated_at`,
    );
    this.deleteOne = this.db.prepare<[string]>('DELETE FROM bot_state WHERE key = ?');
    this.insertOnly = this.db.prepare<[string, string, string, string]>(
      'INSERT INTO bot_state (key, etag, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO NOTHING',
    );
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    this.assertOpen();
    const result: StoreItems = {};
    const readOne = (key: string) => {
      assertKey(key);
      const row = this.selectOne.get(key);
      // JSON.parse per read: callers get fresh objects and cannot mutate stored state.
      if (row) result[key] = { ...(JSON.parse(row.value) as StoreItem), eTag: row.etag };
    };
    // One key (nearly every read) is one statement; several are read in one transaction, as one snapshot.
    if (keys.length === 1) readOne(keys[0]);
    else this.db.transaction(() => keys.forEach(readOne))();
    return result;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    this.assertOpen();
    const now = new Date().toISOString();
    // IMMEDIATE takes the write lock before the eTag check, so no other connection can write the
    // key between our check and our update (a deferred transaction would fail with
    // SQLITE_BUSY_SNAPSHOT instead of waiting). Throwing inside rolls the whole batch back.
    this.db
      .transaction(() => {
        for (const [key, item] of Object.entries(changes)) {
          assertKey(key);
          if (typeof item !== 'object' || item === null || Array.isArray(item)) {
            throw new TypeError(`Storage: item for ${JSON.stringify(key)} must be a JSON object.`);
          }
          const { eTag, ...value } = item as StoreItem;
          if (eTag && eTag !== '*') {
            const stored = this.selectOne.get(key);
            if (stored && stored.etag !== eTag) throw new StorageConflictError(key);
          }
          this.upsert.run(key, randomUUID(), JSON.stringify(value), now);
        }
      })
      .immediate();
  }

  async create(key: string, item: object): Promise<boolean> {
    this.assertOpen();
    assertKey(key);
    const { eTag: _ignored, ...value } = item as StoreItem;
    void _ignored;
    return (
      this.insertOnly.run(key, randomUUID(), JSON.stringify(value), new Date().toISOString()).changes === 1
    );
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    this.assertOpen();
    this.db.transaction(() => {
      for (const key of keys) {
        assertKey(key);
        this.deleteOne.run(key);
      }
    })();
  }

  /** Closes the database (checkpointing the WAL); safe to call more than once. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  private assertOpen(): void {
    if (!this.db.open) throw new Error('SqliteStorage is closed.');
  }
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError('Storage keys must be strings.');
}
