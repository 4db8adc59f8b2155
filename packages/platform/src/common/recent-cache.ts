/** Options of a {@link RecentCache}. */
export interface RecentCacheOptions {
  /** How old an answer may be when it is served again; 0 turns the cache off (every `get` loads). */
  maxAgeMs: number;
  /** Most entries kept; the oldest is dropped first. */
  maxEntries: number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * A per-process cache of recent answers for reads that are asked far more often than their data
 * changes (a replica row read on every request). Callers asking for the same key while its load is
 * running share that load; a failed load is not kept. `forget(key)` after a write drops the entry,
 * including a load that started before the write, so a stale read never outlives it in this process;
 * other processes see the write within `maxAgeMs`.
 */
export class RecentCache<K, V> {
  private readonly entries = new Map<K, { at: number; value: Promise<V> }>();
  private readonly now: () => number;

  constructor(private readonly options: RecentCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get(key: K, load: () => Promise<V>): Promise<V> {
    if (this.options.maxAgeMs <= 0) return load();
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && now - cached.at <= this.options.maxAgeMs) return cached.value;
    const entry = { at: now, value: load() };
    // Re-inserted at the end, so the first key is always the oldest.
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry.value;
  }

  /** Drops one key's entry. */
  forget(key: K): void {
    this.entries.delete(key);
  }

  /** Drops every entry. */
  clear(): void {
    this.entries.clear();
  }

  /** Waits for `write`, then drops `key` (or everything when `key` is omitted), whether it succeeded or not. */
  async forgetAfter<T>(write: Promise<T>, key?: K): Promise<T> {
    try {
      return await write;
    } finally {
      if (key === undefined) this.clear();
      else this.forget(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
