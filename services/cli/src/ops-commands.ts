import type { AdminApiClient } from './admin-api.client';
import { seg } from './admin-api.client';
import { booleanFlags, stringFlags } from './cli-flags';
import { formatRecord, formatTable } from './table.format';

/** Flags of the ops commands (merged into the CLI's parseArgs options). */
export const OPS_OPTIONS = {
  ...stringFlags('tenant', 'entity', 'business-id', 'correlation-id', 'from', 'to', 'direction', 'result', 'limit', 'status', 'category', 'code'),
  ...stringFlags('comment', 'reason', 'flow', 'to-timestamp', 'to-offset', 'changes'),
  ...booleanFlags('all', 'dry-run', 'stop-and-restart'),
  topic: { type: 'string', multiple: true },
} as const;

export const OPS_USAGE = `
  ops (audit-projector's ops API; same MLC_API_URL / MLC_API_KEY):
  mlc audit search [--tenant T] [--entity TYPE] [--business-id ID] [--from ISO] [--to ISO]
                   [--direction inbound|outbound|internal] [--result received|requested|success|failed|recorded|dry-run] [--limit N]
  mlc audit timeline [--tenant T] (<entityType> <businessId> | --correlation-id ID)
        e.g. mlc audit timeline --tenant acme fusion-po-line 300000047507591
  mlc exceptions list [--tenant T] [--status open|resolved|all] [--category C] [--code CODE] [--entity TYPE] [--business-id ID] [--limit N]
  mlc exceptions show <id>
  mlc exceptions replay <id>... | --all [--tenant T] [--category C] [--code CODE] [--entity TYPE]   [--comment TEXT]
  mlc exceptions resolve <id> --comment TEXT
  mlc exceptions correct <id> --changes JSON [--comment TEXT]
  mlc flows list [--tenant T]
  mlc flows pause <tenant> <fusion|shipbob|shopify> [--reason TEXT]
  mlc flows resume <tenant> <fusion|shipbob|shopify> [--reason TEXT]
  mlc sync po <tenant> <poHeaderId>
  mlc receivables waiting <tenant>   (refunds, payments, cancellations waiting for their invoice in fusion-writer)
  mlc replay range [--tenant T] (--flow purchase-orders|shipbob-orders|shipments|po-updates|shopify|receivables | --topic T)
                   --from ISO --to ISO [--dry-run]   (--dry-run: the count at once, nothing republished)
  mlc offsets reset <group> (--to-timestamp ISO | --to-offset earliest|latest|N) [--topic T]... [--dry-run]
                    [--stop-and-restart]   (stop the group's running consumers, reset, start them again)
  mlc reconcile [--tenant T] [--from YYYY-MM-DD] [--to YYYY-MM-DD]   (exit 3 when a receivables difference is listed)
  mlc lag
`;

export class OpsUsageError extends Error {}

type Values = {
  [K in keyof typeof OPS_OPTIONS]?: (typeof OPS_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPS_OPTIONS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

export interface OpsContext {
  api: AdminApiClient;
  positionals: string[];
  values: Values;
  print(data: unknown, human: () => string): void;
  /** Progress lines (stderr), so stdout stays clean for --json. */
  progress(text: string): void;
  /** Poll interval for jobs (tests shorten it). */
  pollMs?: number;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

interface Job {
  id: string;
  status: 'running' | 'done' | 'failed';
  total: number | null;
  done: number;
  result: Record<string, unknown> | null;
  error: string | null;
}

/** Polls a job, printing progress until it ends; returns the finished job. */
async function follow(ctx: OpsContext, job: Job, what: string): Promise<Job> {
  let last = '';
  for (;;) {
    const line = `${what}: ${job.done}${job.total !== null ? `/${job.total}` : ''} ${job.status}`;
    if (line !== last) ctx.progress(`${line}\n`);
    last = line;
    if (job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, ctx.pollMs ?? 500));
    job = await ctx.api.request<Job>('GET', `/ops/jobs/${seg(job.id)}`);
  }
}

const shortTime = (v: unknown) => (typeof v === 'string' ? v.replace(/\.\d{3}Z$/, 'Z') : v);

/**
 * Runs one ops command (`audit`, `exceptions`, `flows`, `sync`, `replay`, `offsets`, `reconcile`, `lag`); returns
 * the exit code, or undefined when the command is not an ops command.
 */
export async function runOpsCommand(cmd: string, ctx: OpsContext): Promise<number | undefined> {
  const { api, positionals: pos, values: o, print } = ctx;
  const need = (n: number, what: string) => {
    if (pos.length < n) throw new OpsUsageError(`missing ${what}`);
  };
  switch (cmd) {
    case 'audit search': {
      const r = await api.request<{ entries: Array<Record<string, unknown>>; nextCursor: string | null }>(
        'GET',
        `/ops/audit${query({ tenant: o.tenant, entityType: o.entity, businessId: o['business-id'], from: o.from, to: o.to, direction: o.direction, result: o.result, limit: o.limit })}`,
      );
      print(
        r,
        () =>
          formatTable(
            r.entries.map((e) => ({ ...e, occurredAt: shortTime(e['occurredAt']) })),
            ['occurredAt', 'tenantId', 'topic', 'direction', 'entityType', 'businessId', 'result', 'errorCode', 'eventId'],
          ) + (r.nextCursor ? '(more: narrow the search or raise --limit)\n' : ''),
      );
      return 0;
    }
    case 'audit timeline': {
      if (!o['correlation-id']) need(4, '<entityType> <businessId> (or --correlation-id)');
      const r = await api.request<{ records: string[]; links: unknown[]; entries: Array<Record<string, unknown>> }>(
        'GET',
        `/ops/timeline${query({ tenant: o.tenant, entityType: pos[2], businessId: pos[3], correlationId: o['correlation-id'] })}`,
      );
      print(
        r,
        () =>
          `RECORDS ${r.records.join('  ')}\n${formatTable(
            r.entries.map((e) => ({
              ...e,
              occurredAt: shortTime(e['occurredAt']),
              from: `${String(e['sourceSystem'])}->${String(e['targetSystem'])}`,
              error: e['errorCode'] ? `${String(e['errorCode'])}: ${String(e['errorMessage'])}` : '',
            })),
            ['occurredAt', 'topic', 'from', 'entityType', 'businessId', 'result', 'error'],
          )}`,
      );
      return 0;
    }
    case 'exceptions list': {
      const r = await api.request<{ exceptions: Array<Record<string, unknown>> }>(
        'GET',
        `/ops/exceptions${query({ tenant: o.tenant, status: o.status ?? 'open', category: o.category, code: o.code, entityType: o.entity, businessId: o['business-id'], limit: o.limit })}`,
      );
      print(r.exceptions, () =>
        formatTable(
          r.exceptions.map((e) => ({ ...e, lastSeenAt: shortTime(e['lastSeenAt']) })),
          ['id', 'tenantId', 'status', 'category', 'code', 'entityType', 'businessId', 'occurrences', 'lastSeenAt', 'reason'],
        ),
      );
      return 0;
    }
    case 'exceptions show': {
      need(3, '<id>');
      const r = await api.request<Record<string, unknown> & { payload: { decoded: unknown; bytes: number }; details: unknown }>(
        'GET',
        `/ops/exceptions/${seg(pos[2]!)}`,
      );
      print(r, () => {
        const { payload, details, ...head } = r;
        return `${formatRecord(head)}\nPARTNER REQUEST / RESPONSE\n${JSON.stringify(details, null, 2)}\n\nORIGINAL RECORD (${payload.bytes} bytes)\n${JSON.stringify(payload.decoded, null, 2)}\n`;
      });
      return 0;
    }
    case 'exceptions replay': {
      const ids = pos.slice(2);
      if (!ids.length && !o.all) throw new OpsUsageError('give exception ids, or --all with filters');
      if (ids.length === 1) {
        const r = await api.request<Record<string, unknown>>('POST', `/ops/exceptions/${seg(ids[0]!)}/replay`, { comment: o.comment });
        print(r, () => `replayed ${ids[0]} -> ${String(r['republishedTo'])} (${String(r['bytes'])} bytes, original unchanged)\n`);
        return 0;
      }
      const body = ids.length
        ? { ids, comment: o.comment }
        : {
            filter: { tenant: o.tenant, status: o.status ?? 'open', category: o.category, code: o.code, entityType: o.entity, businessId: o['business-id'] },
            comment: o.comment,
          };
      const job = await follow(ctx, await api.request<Job>('POST', '/ops/exceptions/replay', body), 'replaying');
      print(
        job,
        () =>
          `${job.status}: replayed ${String(job.result?.['replayed'] ?? 0)}${job.error ? ` (${job.error})` : ''}\n${formatTable((job.result?.['failed'] as Array<Record<string, unknown>> | undefined) ?? [])}`,
      );
      return job.status === 'done' && !(job.result?.['failed'] as unknown[] | undefined)?.length ? 0 : 1;
    }
    case 'exceptions resolve': {
      need(3, '<id>');
      if (!o.comment) throw new OpsUsageError('--comment is required');
      const r = await api.request<Record<string, unknown>>('POST', `/ops/exceptions/${seg(pos[2]!)}/resolve`, { comment: o.comment });
      print(r, () => `${String(r['id'])}: ${String(r['status'])} (${String(r['resolution'] ?? '')}) — ${String(r['resolveComment'] ?? '')}\n`);
      return 0;
    }
    case 'exceptions correct': {
      need(3, '<id>');
      let changes: unknown;
      try {
        changes = JSON.parse(o.changes ?? '');
      } catch {
        throw new OpsUsageError('--changes must be a JSON object of the fields to change');
      }
      const r = await api.request<Record<string, unknown>>('POST', `/ops/exceptions/${seg(pos[2]!)}/correct`, { changes, comment: o.comment });
      print(r, () => `corrected ${pos[2]}: new event ${String(r['correctedEventId'])} on ${String(r['topic'])}\n`);
      return 0;
    }
    case 'flows list': {
      const r = await api.request<{ flows: Array<Record<string, unknown>> }>('GET', `/ops/flows${query({ tenant: o.tenant })}`);
      print(r.flows, () => formatTable(r.flows, ['tenantId', 'partner', 'state', 'reason', 'actor', 'changedAt']));
      return 0;
    }
    case 'flows pause':
    case 'flows resume': {
      need(4, '<tenant> <partner>');
      const r = await api.request<Record<string, unknown>>(
        'POST',
        `/ops/tenants/${seg(pos[2]!)}/flows/${seg(pos[3]!)}/${cmd === 'flows pause' ? 'pause' : 'resume'}`,
        { reason: o.reason },
      );
      print(r, () => `${String(r['tenantId'])} ${String(r['partner'])}: ${String(r['state'])} (${String(r['reason'])})\n`);
      return 0;
    }
    case 'sync po': {
      need(4, '<tenant> <poHeaderId>');
      const r = await api.request<Record<string, unknown>>('POST', `/ops/tenants/${seg(pos[2]!)}/purchase-orders/${seg(pos[3]!)}/sync`);
      print(r, () => `sync of PO ${pos[3]} for ${pos[2]} requested: ${JSON.stringify(r['poller'])}\n`);
      return 0;
    }
    case 'receivables waiting': {
      need(3, '<tenant>');
      const r = await api.request<{ waiting: Array<Record<string, unknown>> }>('GET', `/ops/tenants/${seg(pos[2]!)}/receivables/waiting`);
      print(r.waiting, () =>
        formatTable(
          r.waiting.map((w) => ({ ...w, since: shortTime(w['since']), deadline: shortTime(w['deadline']) })),
          ['idempotencyKey', 'kind', 'shopifyOrderName', 'waitsForInvoice', 'since', 'deadline', 'releases'],
        ),
      );
      return 0;
    }
    case 'replay range': {
      if (!o.from || !o.to) throw new OpsUsageError('--from and --to are required');
      if (!o.flow && !o.topic?.length) throw new OpsUsageError('--flow (or --topic) is required');
      if (o['dry-run']) {
        // The count at once, nothing republished.
        const p = await api.request<Record<string, unknown>>('POST', '/ops/replay-range/preview', {
          tenantId: o.tenant,
          flow: o.flow,
          topics: o.topic,
          from: o.from,
          to: o.to,
        });
        print(p, () => `dry run: would republish ${String(p['records'])} of ${String(p['inRange'])} record(s) in the range\n${formatRecord(p)}`);
        return 0;
      }
      const job = await follow(
        ctx,
        await api.request<Job>('POST', '/ops/replay-range', {
          tenantId: o.tenant,
          flow: o.flow,
          topics: o.topic,
          from: o.from,
          to: o.to,
          dryRun: !!o['dry-run'],
        }),
        'replaying range',
      );
      print(job, () => `${job.status}${job.error ? `: ${job.error}` : ''}\n${job.result ? formatRecord(job.result) : ''}`);
      return job.status === 'done' ? 0 : 1;
    }
    case 'offsets reset': {
      need(3, '<group>');
      const stopAndRestart = !!o['stop-and-restart'] && !o['dry-run'];
      if (stopAndRestart) ctx.progress(`${pos[2]}: stopping its consumers, then resetting and starting them again\n`);
      // While the reset runs, the group's state is shown as it changes (Stable -> Empty -> Stable).
      let watching = stopAndRestart;
      const watch = (async () => {
        let last = '';
        while (watching) {
          const g = await api.request<{ state: string; members: unknown[] }>('GET', `/ops/consumer-groups/${seg(pos[2]!)}`).catch(() => undefined);
          const line = g ? `${pos[2]}: group ${g.state}, ${g.members.length} member(s)` : '';
          if (watching && line && line !== last) ctx.progress(`${line}\n`);
          last = line || last;
          await new Promise((res) => setTimeout(res, ctx.pollMs ?? 500));
        }
      })();
      let r: { groupId: string; dryRun: boolean; offsets: Array<Record<string, unknown>>; steps?: Array<{ step: string; at: string; detail: string }> };
      try {
        r = await api.request('POST', `/ops/consumer-groups/${seg(pos[2]!)}/reset-offsets`, {
          toTimestamp: o['to-timestamp'],
          toOffset: o['to-offset'],
          topics: o.topic,
          dryRun: !!o['dry-run'],
          ...(stopAndRestart ? { stopAndRestart: true } : {}),
        });
      } finally {
        watching = false;
        await watch;
      }
      for (const st of r.steps ?? []) ctx.progress(`${String(shortTime(st.at))} ${st.step}: ${st.detail}\n`);
      print(r, () => `${r.dryRun ? 'would reset' : 'reset'} ${r.groupId}:\n${formatTable(r.offsets, ['topic', 'partition', 'offset'])}`);
      return 0;
    }
    case 'reconcile': {
      type Doc = { kind: string; transactionNumber: string; amount: string };
      const r = await api.request<{
        fulfilment: Array<Record<string, unknown>>;
        receivables: Array<Record<string, unknown>>;
        receivablesDifferences: Array<Record<string, unknown> & { documents?: Doc[] }>;
        receivablesChecks?: Array<Record<string, unknown> & { error: string | null }>;
        receivablesDryRun?: Array<Record<string, unknown>>;
        chargesPerPo: Array<Record<string, unknown>>;
      }>('GET', `/ops/reports/reconciliation${query({ tenant: o.tenant, from: o.from, to: o.to })}`);
      // Each difference lists its Fusion documents: INV 1001 +404.95, INV 1002 +20.00, CM R1A -5.00.
      const label: Record<string, string> = { invoice: 'INV', amendment: 'INV', credit_memo: 'CM' };
      const diffs = r.receivablesDifferences.map((d) => ({
        ...d,
        fusionDocuments:
          (d.documents ?? [])
            .map((doc) => `${label[doc.kind] ?? doc.kind} ${doc.transactionNumber} ${doc.amount.startsWith('-') ? '' : '+'}${doc.amount}`)
            .join(', ') || '(none)',
      }));
      const checks = r.receivablesChecks ?? [];
      print(r, () =>
        [
          'PURCHASE ORDERS -> SHIPBOB -> FUSION (per day)',
          formatTable(r.fulfilment, ['tenantId', 'day', 'posSeen', 'shipbobOrdersCreated', 'shipbobOrdersDryRun', 'shipped', 'writtenBack', 'exceptions']),
          'SHOPIFY ORDERS vs FUSION INVOICES (per day, as recorded)',
          formatTable(r.receivables, ['tenantId', 'day', 'shopifyOrders', 'shopifyAmount', 'fusionInvoices', 'fusionAmount']),
          'RECEIVABLES CHECKED AGAINST SHOPIFY AND FUSION',
          formatTable(
            checks.map((c) => ({ ...c, result: c.error ? `NOT CHECKED: ${c.error}` : 'checked' })),
            ['tenantId', 'ordersChecked', 'differences', 'result'],
          ),
          'DIFFERENCES (Shopify current total vs Fusion invoices + amendments - credit memos)',
          formatTable(diffs, [
            'tenantId',
            'shopifyOrderName',
            'shopifyOrderId',
            'currency',
            'shopifyAmount',
            'fusionAmount',
            'difference',
            'fusionDocuments',
            'reason',
          ]),
          ...(r.receivablesDryRun?.length
            ? [
                'IN DRY RUN (would-be Fusion documents, not written: not differences)',
                formatTable(r.receivablesDryRun, ['tenantId', 'shopifyOrderName', 'shopifyOrderId', 'currency', 'shopifyAmount', 'wouldBeWrites']),
              ]
            : []),
          'SHIPBOB CHARGES PER PO',
          formatTable(r.chargesPerPo, ['tenantId', 'poHeaderId', 'poNumber', 'charges', 'total', 'currency', 'chargeTypes']),
        ].join('\n'),
      );
      // Exit 3 when a difference is listed, so a scheduled reconcile can alert on it.
      return diffs.length ? 3 : 0;
    }
    case 'lag': {
      const r = await api.request<{ groups: Array<Record<string, unknown>>; newestProjectedAt: string | null }>('GET', '/ops/lag');
      print(r, () => `${formatTable(r.groups, ['groupId', 'records'])}newest projected event: ${r.newestProjectedAt ?? '(none yet)'}\n`);
      return 0;
    }
    default:
      return undefined;
  }
}
