import { seg } from './admin-api.client';
import { OpsUsageError, type OpsContext } from './ops-commands';
import { formatTable } from './table.format';

export const DRYRUN_USAGE = `
  dry run (a tenant's flows with settings.dryRun on: partners are read, writes are recorded, not sent):
  mlc dryrun list <tenant> [--flow purchase-orders|receivables] [--limit N]   (--json: full request bodies)
        go live: PATCH settings dryRun.<flow>=false, then replay the writers' input since the dry run began:
        mlc replay range --tenant T --flow shipbob-orders|po-updates|receivables --from ISO --to ISO
`;

interface WouldBeWrite {
  occurredAt: string;
  times: number;
  flow: string | null;
  partner: string | null;
  operation: string | null;
  entityType: string;
  businessId: string;
  method: string | null;
  path: string | null;
  body: unknown;
  note: string | null;
}

const FLOWS = ['purchase-orders', 'receivables'];

/** One line of what a body holds: the first few fields of a JSON object, or the SOAP operation. */
export function summarizeBody(body: unknown, width = 90): string {
  let s: string;
  if (body === null || body === undefined) s = '';
  else if (typeof body === 'string')
    s =
      /<(?:\w+:)?(\w+)>\s*<(?:\w+:)?\w+>/.exec(body.replace(/^<\?xml[^>]*>/, '').replace(/<[^>]*Envelope[^>]*>|<[^>]*Header\/>|<[^>]*Body>/g, ''))?.[1] ?? body;
  else if (typeof body === 'object' && !Array.isArray(body)) {
    s = Object.entries(body as Record<string, unknown>)
      .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? (Array.isArray(v) ? `[${v.length}]` : '{…}') : String(v)}`)
      .join(' ');
  } else s = JSON.stringify(body);
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}

/**
 * `mlc dryrun list`: the would-be writes of a tenant's flows in dry run (GET /ops/tenants/:id/dry-run). Exit 0 (also
 * when there are none), 2 on bad usage, 1 when the API refuses. Returns undefined for commands that are not its own.
 */
export async function runDryRunCommand(cmd: string, ctx: OpsContext): Promise<number | undefined> {
  if (cmd !== 'dryrun list') return undefined;
  const { api, positionals: pos, values: o, print } = ctx;
  const tenant = pos[2];
  if (!tenant) throw new OpsUsageError('missing <tenant>');
  if (o.flow !== undefined && !FLOWS.includes(o.flow)) throw new OpsUsageError(`--flow must be one of ${FLOWS.join(', ')}`);
  if (o.limit !== undefined && !/^\d+$/.test(o.limit)) throw new OpsUsageError('--limit must be a whole number');
  const q = new URLSearchParams();
  if (o.flow) q.set('flow', o.flow);
  if (o.limit) q.set('limit', o.limit);
  const r = await api.request<{ writes: WouldBeWrite[] }>('GET', `/ops/tenants/${seg(tenant)}/dry-run${q.size ? `?${q.toString()}` : ''}`);
  print(r.writes, () =>
    r.writes.length
      ? formatTable(
          r.writes.map((w) => ({
            at: w.occurredAt.replace(/\.\d{3}Z$/, 'Z'),
            flow: w.flow,
            partner: w.partner,
            operation: w.operation,
            businessId: w.businessId,
            times: w.times,
            request: `${w.method ?? ''} ${w.path ?? ''}`,
            body: summarizeBody(w.body),
          })),
          ['at', 'flow', 'partner', 'operation', 'businessId', 'times', 'request', 'body'],
        )
      : `no would-be writes recorded for ${tenant}${o.flow ? ` (${o.flow})` : ''}\n`,
  );
  return 0;
}
