import { AppError } from '@mlc/platform-errors';
import type { TenantConfigService } from '../tenant-config.service';
import { secretValues } from '../tenant-config.validation';
import type { Connection, Partner } from '../tenants.types';

/** Which check failed first; null when both passed. */
export type PingCheck = 'configuration' | 'network' | 'tls' | 'authentication' | 'permission' | 'timeout' | 'unexpected';

export interface PingResult {
  reachable: boolean;
  authenticated: boolean;
  failedCheck: PingCheck | null;
  /** Log-safe; secrets of the connection are scrubbed from it. */
  message: string;
}

/**
 * Implemented per partner by the client libraries (`@mlc/partners-fusion-client` etc. export `ping()`): one cheap
 * authenticated read. It may return a PingResult or throw; thrown errors are classified here.
 */
export interface PartnerPinger {
  ping(connection: Connection, ctx: { tenantId: string; signal: AbortSignal }): Promise<PingResult>;
}

export type PartnerPingers = Partial<Record<Partner, PartnerPinger>>;

const DEFAULT_TIMEOUT_MS = 10_000;

export class ConnectionPingService {
  constructor(
    private readonly config: TenantConfigService,
    private readonly pingers: PartnerPingers,
    private readonly opts: { timeoutMs?: number } = {},
  ) {}

  async pingConnection(tenantId: string, partner: Partner): Promise<PingResult> {
    const connection = await this.config.getConnection(tenantId, partner);
    const pinger = this.pingers[partner];
    if (!pinger) return { reachable: false, authenticated: false, failedCheck: 'configuration', message: `no pinger is registered for ${partner}` };
    const scrub = scrubber(secretValues(connection));
    const ac = new AbortController();
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<PingResult>((resolve) => {
      timer = setTimeout(() => {
        ac.abort();
        resolve({ reachable: false, authenticated: false, failedCheck: 'timeout', message: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
    });
    try {
      const r = await Promise.race([pinger.ping(connection, { tenantId, signal: ac.signal }), timeout]);
      return { reachable: !!r.reachable, authenticated: !!r.authenticated, failedCheck: r.failedCheck ?? null, message: scrub(String(r.message ?? '')) };
    } catch (err) {
      return { ...classify(err), message: scrub(err instanceof Error ? err.message : String(err)) };
    } finally {
      clearTimeout(timer);
    }
  }
}

function classify(err: unknown): Omit<PingResult, 'message'> {
  const code = err instanceof AppError ? err.code : String((err as NodeJS.ErrnoException)?.code ?? '');
  const status = err instanceof AppError ? (err.details['status'] as number | undefined) : undefined;
  if (/UNAUTHORIZED|UNAUTHENTICATED|AUTH$/.test(code) || status === 401) return { reachable: true, authenticated: false, failedCheck: 'authentication' };
  if (/FORBIDDEN|PERMISSION|SCOPE/.test(code) || status === 403) return { reachable: true, authenticated: true, failedCheck: 'permission' };
  if (/CERT|TLS|SSL/.test(code)) return { reachable: false, authenticated: false, failedCheck: 'tls' };
  if (/CONNECTION|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT/.test(code)) return { reachable: false, authenticated: false, failedCheck: 'network' };
  return { reachable: false, authenticated: false, failedCheck: 'unexpected' };
}

function scrubber(secrets: string[]): (s: string) => string {
  return (s) => secrets.reduce((acc, secret) => acc.split(secret).join('[secret]'), s);
}
