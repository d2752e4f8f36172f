/** A token grant as the partner clients' token functions return it. */
export interface AccessTokenGrant {
  accessToken: string;
  /** Lifetime in ms; undefined for a token that does not expire. */
  expiresInMs?: number;
}

/**
 * An in-process access-token source for ONE-OFF uses (a ping, the doctor, a CLI call): the same
 * `getAccessToken(forceRefresh)` shape the clients take from TokenManager (libs/tenancy partner.tokens.ts), which is
 * what services use (tokens shared by replicas). Keeps the token until `skewMs` before it expires; concurrent
 * callers share one grant (single flight); `forceRefresh` (after a 401) obtains a new one.
 */
export function memoryAccessToken(
  obtain: () => Promise<AccessTokenGrant>,
  opts: { skewMs?: number; now?: () => number; /** A token to start with (a static token that may be replaced). */ initial?: AccessTokenGrant } = {},
): (forceRefresh: boolean) => Promise<string> {
  const now = opts.now ?? Date.now;
  const skewMs = opts.skewMs ?? 60_000;
  const expiry = (g: AccessTokenGrant): number => (g.expiresInMs === undefined ? Number.POSITIVE_INFINITY : now() + g.expiresInMs);
  let cached: { token: string; expiresAt: number } | undefined = opts.initial
    ? { token: opts.initial.accessToken, expiresAt: expiry(opts.initial) }
    : undefined;
  let inflight: Promise<string> | undefined;
  return async (forceRefresh) => {
    if (!forceRefresh && cached && cached.expiresAt - skewMs > now()) return cached.token;
    if (forceRefresh) cached = undefined;
    inflight ??= obtain()
      .then((g) => {
        cached = { token: g.accessToken, expiresAt: expiry(g) };
        return g.accessToken;
      })
      .finally(() => (inflight = undefined));
    return inflight;
  };
}
