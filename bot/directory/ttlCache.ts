/**
 * A small map whose entries expire; the caches that keep Graph traffic down (SKUs, roles, groups). Bounded: keys
 * per user would otherwise grow with every user ever seen, since an entry is only dropped when read after expiry.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 5000,
  ) {}

  has(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return false;
    }
    return true;
  }

  get(key: K): V | undefined {
    return this.has(key) ? this.entries.get(key)!.value : undefined;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    // Insertion order is expiry order (one TTL per cache): the first entry is the oldest.
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
