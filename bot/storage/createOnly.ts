import type { Storage, StoreItem } from 'botbuilder';

/**
 * A storage that can write a key only if it does not exist yet (SQLite's INSERT, a blob's If-None-Match: *).
 * botbuilder's `Storage` has no such write: eTag '*' overwrites. Ticket numbers and first documents need it, so
 * that two instances on an empty store can never both take number 1.
 */
export interface CreateOnlyStorage extends Storage {
  /** Writes the item when the key is absent and returns true; returns false, writing nothing, when it exists. */
  create(key: string, item: object): Promise<boolean>;
}

export function canCreateOnly(storage: Storage): storage is CreateOnlyStorage {
  return typeof (storage as Partial<CreateOnlyStorage>).create === 'function';
}

/**
 * Create-only on any storage: the storage's own when it has one; otherwise read, then write (safe within one
 * process only, which is all a storage without it, such as the tests' MemoryStorage, is used for).
 */
export async function createItem(storage: Storage, key: string, item: object): Promise<boolean> {
  if (canCreateOnly(storage)) return storage.create(key, item);
  if ((await storage.read([key]))[key]) return false;
  await storage.write({ [key]: { ...item, eTag: '*' } as StoreItem });
  return true;
}
