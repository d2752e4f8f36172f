/**
 * A small TTL cache with a size bound (look-ups of suppliers and locations shared across pages and polls). Callers
 * asking for a key being loaded share that load (a page's records are built side by side and often name the same
 * supplier): one request to Fusion per key, not one per record. A load that fails is not kept.
 */
export class LookupCache<T> {
  private readonly map = new Map<string, { value: Promise<T>; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 2_000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.map.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const entry = { value: load(), at: Date.now() };
    this.map.delete(key);
    this.map.set(key, entry);
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
    entry.value.then(
      () => (entry.at = Date.now()), // the TTL counts from the answer, as before
      () => {
        if (this.map.get(key) === entry) this.map.delete(key);
      },
    );
    return entry.value;
  }
}
