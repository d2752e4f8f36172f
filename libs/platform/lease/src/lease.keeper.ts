import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { LeaseGrant, PgLeaseStore } from './lease.store';

/** A lease this process holds: its fencing token, and a signal aborted the moment it is lost. */
export interface HeldLease {
  name: string;
  token: string;
  signal: AbortSignal;
  /** True while the lease is surely still ours by the local clock (the last renewal's request time + TTL). */
  valid(): boolean;
}

interface Entry extends HeldLease {
  abort: AbortController;
  validUntil: number;
}

export interface LeaseKeeperOptions {
  ttlMs: number;
  /** Who we are in `platform_leases.owner` (default host:pid:random, unique per process). */
  owner?: string;
  /** Warnings (a renewal failed, a lease was lost or taken). */
  onEvent?: (event: 'acquired' | 'lost' | 'renew-failed', detail: { name?: string; token?: string; error?: string }) => void;
}

/** A process-unique owner id: a restarted process never mistakes an old lease for its own. */
export function leaseOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Keeps the leases of the names this process wants: every TTL/3 it renews what it holds and takes what is free or
 * expired (a dead replica's leases after their TTL), so once-only work moves to a live replica within about the TTL.
 * The work asks `held(name)` before it starts, stops when the lease's signal aborts, and fences its commit with
 * `store.assertHeld(client, name, token)`.
 */
export class LeaseKeeper {
  readonly owner: string;
  private readonly entries = new Map<string, Entry>();
  private wanted = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly store: PgLeaseStore,
    private readonly opts: LeaseKeeperOptions,
  ) {
    this.owner = opts.owner ?? leaseOwnerId();
  }

  get ttlMs(): number {
    return this.opts.ttlMs;
  }

  /** Starts renewing and taking leases every TTL/3. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.sync(), Math.max(50, Math.floor(this.opts.ttlMs / 3)));
    this.timer.unref();
  }

  /** The names this process would own (e.g. every tenant feed); leases no longer wanted are released at the next sync. */
  want(names: Iterable<string>): void {
    this.wanted = new Set(names);
  }

  held(name: string): HeldLease | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    if (!e.valid()) {
      this.lose(e);
      return undefined;
    }
    return e;
  }

  heldNames(): string[] {
    return [...this.entries.keys()];
  }

  /** One round: renew what is held, release what is no longer wanted, take what is wanted and free. */
  sync(): Promise<void> {
    if (this.syncing) return this.syncing;
    this.syncing = this.round().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /** Stops renewing and releases every lease held, so another replica takes the work at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.syncing?.catch(() => undefined);
    const held = [...this.entries.values()];
    for (const e of held) this.lose(e, false);
    await this.store.release(held, this.owner).catch(() => undefined);
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    const sentAt = performance.now();
    const held = [...this.entries.values()];
    const keep = held.filter((e) => this.wanted.has(e.name));
    const drop = held.filter((e) => !this.wanted.has(e.name));
    try {
      if (drop.length) {
        for (const e of drop) this.lose(e, false);
        await this.store.release(drop, this.owner);
      }
      const renewed = new Set((await this.store.renew(keep, this.owner, this.opts.ttlMs)).map((g) => g.name));
      for (const e of keep) {
        if (renewed.has(e.name)) e.validUntil = sentAt + this.opts.ttlMs;
        else this.lose(e);
      }
      const free = [...this.wanted].filter((n) => !this.entries.has(n));
      if (this.stopped) return;
      for (const g of await this.store.acquire(free, this.owner, this.opts.ttlMs)) this.add(g, sentAt);
    } catch (err) {
      // Not renewed: each lease stays ours only until its local deadline (held() drops it then).
      this.opts.onEvent?.('renew-failed', { error: (err as Error).message });
      for (const e of this.entries.values()) if (!e.valid()) this.lose(e);
    }
  }

  private add(g: LeaseGrant, sentAt: number): void {
    const abort = new AbortController();
    const e: Entry = {
      name: g.name,
      token: g.token,
      abort,
      signal: abort.signal,
      validUntil: sentAt + this.opts.ttlMs,
      valid: () => !abort.signal.aborted && performance.now() < e.validUntil,
    };
    this.entries.set(g.name, e);
    this.opts.onEvent?.('acquired', { name: g.name, token: g.token });
  }

  private lose(e: Entry, report = true): void {
    if (this.entries.get(e.name) === e) this.entries.delete(e.name);
    if (!e.abort.signal.aborted) {
      e.abort.abort(new Error(`lease ${e.name} lost`));
      if (report) this.opts.onEvent?.('lost', { name: e.name, token: e.token });
    }
  }
}
