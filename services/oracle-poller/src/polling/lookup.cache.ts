/** A small TTL cache with a size bound (look-ups of suppliers and locations shared across pages and polls). */
export class LookupCache<T> {
  private readonly map = new Map<string, { value: T; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 2_000,
  ) {}

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.map.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    this.map.delete(key);
    this.map.set(key, { value, at: Date.now() });
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
    return value;
  }
}
