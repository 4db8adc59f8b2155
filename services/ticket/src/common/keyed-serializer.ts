/**
 * Runs tasks one at a time per key inside this process (FIFO), different keys in parallel.
 *
 * Why: MongoDB applies each single-document update atomically, which is all the stock logic needs. The
 * local MongoDB-compatible server (FerretDB 1.24, SQLite handler) does not: measured on the dev stack,
 * 300 concurrent `$inc` on one document left it at 22, and 300 guarded decrements of `available: 50` all
 * reported a modification. Writes to the stock documents therefore also queue per document in-process,
 * which makes one replica correct on that server too (several replicas still need a real MongoDB).
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
