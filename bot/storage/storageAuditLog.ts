import type { Storage } from 'botbuilder';
import type { AuditEntry, AuditLog } from '../../core/admin/auditLog';
import { createItem } from './createOnly';

const KEY = 'signin-desk/audit-log';
const KEEP = 5000;

/**
 * The audit log in the bot's storage (SQLite, or Blob when scaled out): one document, appended with eTag
 * checks, so two instances writing at once retry instead of losing an entry.
 */
export class StorageAuditLog implements AuditLog {
  constructor(private readonly storage: Storage) {}

  async record(entry: AuditEntry): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = (await this.storage.read([KEY]))[KEY] as
        { entries: AuditEntry[]; eTag?: string } | undefined;
      const entries = [entry, ...(current?.entries ?? [])].slice(0, KEEP);
      try {
        // No stored document yet: create it, so a concurrent first entry from another instance is not overwritten.
        if (!current) {
          if (await createItem(this.storage, KEY, { entries })) return;
          continue;
        }
        await this.storage.write({ [KEY]: { entries, eTag: current.eTag } });
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    const current = (await this.storage.read([KEY]))[KEY] as { entries: AuditEntry[] } | undefined;
    return (current?.entries ?? []).slice(0, limit);
  }
}
