import { createHash } from 'node:crypto';
import type { StoreItem, StoreItems } from 'botbuilder';
import { RestError, type ContainerClient } from '@azure/storage-blob';
import type { CreateOnlyStorage } from './createOnly';
import { StorageConflictError } from './sqliteStorage';

/** Longer keys (a channel thread's conversation id can be long) are stored under their hash. */
const MAX_NAME = 900;
/** Parallel requests per read or write batch. */
const PARALLEL = 16;

/**
 * botbuilder `Storage` on one Azure Blob Storage container, shared by every instance of the bot: one blob per
 * key, a JSON document, with the blob's ETag as the item's eTag. The semantics are those of SqliteStorage:
 * - an item with an eTag is written only if the blob still has it (If-Match), else `StorageConflictError`;
 * - an item with no eTag or '*' always writes, and so does one whose key is not stored yet;
 * - `create` writes only a key that does not exist (If-None-Match: *), so two instances can never both create it.
 * Unlike SQLite, a batch of several keys is not atomic: each key is written on its own.
 */
export class BlobStorage implements CreateOnlyStorage {
  constructor(private readonly container: ContainerClient) {}

  /** Creates the container if needed; call once at start-up. */
  async open(): Promise<void> {
    await this.container.createIfNotExists();
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const result: StoreItems = {};
    await inBatches(keys, async (key) => {
      try {
        const response = await this.blob(key).download();
        const text = await streamText(response.readableStreamBody);
        result[key] = { ...(JSON.parse(text) as StoreItem), eTag: response.etag };
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
    });
    return result;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    await inBatches(Object.keys(changes), async (key) => {
      const item = changes[key] as unknown;
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        throw new TypeError(`Storage: item for ${JSON.stringify(key)} must be a JSON object.`);
      const { eTag, ...value } = item as StoreItem;
      const body = JSON.stringify(value);
      if (!eTag || eTag === '*') return void (await this.upload(key, body));
      try {
        await this.upload(key, body, { ifMatch: eTag });
      } catch (error) {
        if (!isStatus(error, 412) && !isStatus(error, 404)) throw error;
        // The key may simply not exist (an eTag from a deleted item): then it writes, unless someone creates it
        // first. Otherwise the blob moved on: a conflict.
        if (await this.exists(key)) throw new StorageConflictError(key);
        if (!(await this.createBody(key, body))) throw new StorageConflictError(key);
      }
    });
  }

  async create(key: string, item: object): Promise<boolean> {
    const { eTag: _ignored, ...value } = item as StoreItem;
    void _ignored;
    return this.createBody(key, JSON.stringify(value));
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    await inBatches(keys, async (key) => void (await this.blob(key).deleteIfExists()));
  }

  private async createBody(key: string, body: string): Promise<boolean> {
    try {
      await this.upload(key, body, { ifNoneMatch: '*' });
      return true;
    } catch (error) {
      if (isStatus(error, 409) || isStatus(error, 412)) return false;
      throw error;
    }
  }

  private async upload(key: string, body: string, conditions?: { ifMatch?: string; ifNoneMatch?: string }) {
    return this.blob(key).upload(body, Buffer.byteLength(body), {
      conditions,
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  }

  private async exists(key: string): Promise<boolean> {
    return this.blob(key).exists();
  }

  private blob(key: string) {
    if (typeof key !== 'string') throw new TypeError('Storage keys must be strings.');
    return this.container.getBlockBlobClient(blobName(key));
  }
}

/** A blob name for a key: readable where it can be, hashed where it would be too long. */
export function blobName(key: string): string {
  const encoded = encodeURIComponent(key);
  return encoded.length <= MAX_NAME ? `k/${encoded}` : `h/${createHash('sha256').update(key).digest('hex')}`;
}

async function inBatches(keys: string[], each: (key: string) => Promise<void>): Promise<void> {
  for (let i = 0; i < keys.length; i += PARALLEL) await Promise.all(keys.slice(i, i + PARALLEL).map(each));
}

function isStatus(error: unknown, status: number): boolean {
  return error instanceof RestError
    ? error.statusCode === status
    : (error as { statusCode?: number })?.statusCode === status;
}

async function streamText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
