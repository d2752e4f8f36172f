import { randomBytes } from 'node:crypto';
import type { OperatorIdentity } from '@mlc/tenants';

/** One signed-in console user. The operator key stays here, on the server; the browser holds only `id`. */
export interface ConsoleSession {
  /** Opaque, 256 random bits: the cookie's value. */
  id: string;
  /** The operator key, passed on to the ops and admin APIs for this session's requests. */
  key: string;
  who: OperatorIdentity;
  /** Display name given at sign-in (the actor of every action, with the key's fingerprint). */
  name: string;
  /** Sent back by the page in `x-csrf-token` on every mutating request. */
  csrf: string;
  createdAt: number;
  lastUsedAt: number;
}

/** Sessions beyond this many push out the least recently used (a flood of sign-ins cannot exhaust memory). */
export const MAX_CONSOLE_SESSIONS = 10_000;

/**
 * Server-side console sessions, in memory: a session ends at sign-out, after `idleMs` unused or `ttlMs` after
 * sign-in, and with the process (operators sign in again). Several replicas need sticky sessions for /console.
 */
export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly ttlMs: number,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(key: string, who: OperatorIdentity, name: string): ConsoleSession {
    const t = this.now();
    const s: ConsoleSession = { id: token(), key, who, name, csrf: token(), createdAt: t, lastUsedAt: t };
    this.sessions.set(s.id, s);
    while (this.sessions.size > MAX_CONSOLE_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return s;
  }

  /** The live session of a cookie value (its use is recorded), or undefined once it ended. */
  get(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.createdAt >= this.ttlMs || t - s.lastUsedAt >= this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastUsedAt = t;
    // Least recently used last: re-insert so eviction takes the idlest first.
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}

function token(): string {
  return randomBytes(32).toString('base64url');
}
