import type { Pool } from 'pg';
import type { TenantSnapshot } from '@mlc/tenants';
import { findings, sh } from './doctor.findings';
import type { DoctorFinding } from './doctor.types';

const f = findings('mlc');
const DAY_MS = 86_400_000;
/** oracle-poller's default initial look-back (POLLER_INITIAL_LOOKBACK_MS): a cursor older than this lags far behind. */
const LOOKBACK_MS = 30 * DAY_MS;
/** Clock skew tolerated before a cursor counts as "in the future". */
const SKEW_MS = 5 * 60_000;

/** Fusion PO statuses (reference/oracle-fusion.md §4) and the ones Fusion receives against. */
const PO_STATUSES = [
  'Open',
  'On Hold',
  'Closed for Receiving',
  'Closed for Invoicing',
  'Closed',
  'Finally Closed',
  'Canceled',
  'Incomplete',
  'Pending Approval',
  'Rejected',
  'Withdrawn',
];
const RECEIVABLE = ['Open', 'Closed for Invoicing'];

/** oracle-poller feed -> the `mlc backfill` target that re-reads it. */
const BACKFILL_TARGET: Record<string, string> = {
  'purchase-orders': 'purchase-orders',
  'customer-accounts': 'customers',
  'receivables-invoices': 'invoices',
  'credit-memos': 'invoices',
};

/** The tenant's own settings: accounting present, receivable PO statuses sane. */
export function settingsChecks(t: string, s: TenantSnapshot): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const a = s.settings.accounting;
  out.push(
    a
      ? f.ok('mlc.accounting', `accounting settings present (business unit ${a.businessUnit}, source ${a.transactionSource}, type ${a.transactionType})`)
      : f.fail(
          'mlc.accounting',
          'no accounting settings: Shopify orders cannot become Fusion invoices',
          `mlc settings set ${t} accounting.businessUnit=${sh('<BU>')} accounting.transactionSource=<source> accounting.transactionType=Invoice accounting.paymentTerms=${sh('<terms>')} accounting.revenueAccountCombination=<segments> accounting.guestCustomerAccountNumber=<account>`,
        ),
  );
  const statuses = s.settings.receivablePoStatuses ?? ['Open'];
  const unknown = statuses.filter((x) => !PO_STATUSES.includes(x));
  const fix = `mlc settings set ${t} 'receivablePoStatuses:=["Open"]'`;
  if (unknown.length)
    out.push(
      f.fail(
        'mlc.receivablePoStatuses',
        `receivablePoStatuses has ${unknown.map((x) => `"${x}"`).join(', ')}, not a Fusion PO status (${PO_STATUSES.join(', ')})`,
        fix,
      ),
    );
  else {
    const unreceivable = statuses.filter((x) => !RECEIVABLE.includes(x) && x !== 'On Hold');
    if (unreceivable.length)
      out.push(
        f.warn('mlc.receivablePoStatuses', `receivablePoStatuses has ${unreceivable.join(', ')}: Fusion refuses receipts against POs in that status`, fix),
      );
    else out.push(f.ok('mlc.receivablePoStatuses', `receivable PO statuses: ${statuses.join(', ')}`));
  }
  return out;
}

async function tableExists(pool: Pool, name: string): Promise<boolean> {
  const r = await pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return r.rows[0]?.t != null;
}

/**
 * Polling cursors (oracle-poller's poller_feed_state, webhook-gateway's gateway_sweep_cursors in the shared
 * database): not in the future, not further behind than the initial look-back without a backfill asked for, no
 * failure streak.
 */
export async function cursorChecks(t: string, pool: Pool, now = Date.now()): Promise<DoctorFinding[]> {
  const out: DoctorFinding[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  if (!(await tableExists(pool, 'poller_feed_state'))) out.push(f.skipped('mlc.cursor.fusion', 'oracle-poller has not run against this database yet'));
  else {
    const rows = (
      await pool.query<{
        feed: string;
        cursor_ms: string | null;
        backfill_request: string | null;
        consecutive_failures: number;
        last_error_code: string | null;
        last_error_message: string | null;
      }>(
        'SELECT feed, cursor_ms, backfill_request, consecutive_failures, last_error_code, last_error_message FROM poller_feed_state WHERE tenant_id = $1 ORDER BY feed',
        [t],
      )
    ).rows;
    if (!rows.length) out.push(f.skipped('mlc.cursor.fusion', 'oracle-poller has not polled this tenant yet (its first poll starts at the initial look-back)'));
    for (const r of rows) {
      const check = `mlc.cursor.${r.feed}`;
      const target = BACKFILL_TARGET[r.feed] ?? r.feed;
      const cursor = r.cursor_ms === null ? null : Number(r.cursor_ms);
      if (cursor !== null && cursor > now + SKEW_MS) {
        out.push(
          f.fail(
            check,
            `the ${r.feed} cursor is in the future (${iso(cursor)}): changes before then are never read`,
            `mlc backfill ${t} ${target} --since ${iso(now - DAY_MS).slice(0, 10)}`,
          ),
        );
      } else if (r.consecutive_failures > 0) {
        out.push(
          f.warn(
            check,
            `the last ${r.consecutive_failures} poll(s) of ${r.feed} failed (${r.last_error_code ?? 'error'}: ${r.last_error_message ?? ''})`,
            `mlc ping ${t} fusion`,
          ),
        );
      } else if (cursor !== null && cursor < now - LOOKBACK_MS && !r.backfill_request) {
        out.push(
          f.warn(
            check,
            `the ${r.feed} cursor (${iso(cursor)}) is more than ${LOOKBACK_MS / DAY_MS} days behind`,
            `mlc backfill ${t} ${target} --since <date>   (after finding why polling stalled: mlc ping ${t} fusion)`,
          ),
        );
      } else out.push(f.ok(check, cursor === null ? `${r.feed}: no cursor yet` : `${r.feed} cursor at ${iso(cursor)}`));
    }
  }
  if (await tableExists(pool, 'gateway_sweep_cursors')) {
    const rows = (
      await pool.query<{ resource: string; updated_since: Date }>(
        'SELECT resource, updated_since FROM gateway_sweep_cursors WHERE tenant_id = $1 ORDER BY resource',
        [t],
      )
    ).rows;
    for (const r of rows) {
      const at = new Date(r.updated_since).getTime();
      const check = `mlc.cursor.sweep.${r.resource}`;
      if (at > now + SKEW_MS)
        out.push(
          f.fail(
            check,
            `the ${r.resource} sweep cursor is in the future (${iso(at)}): missed webhooks before then are never swept`,
            `mlc backfill ${t} ${r.resource.includes('order') ? 'invoices' : r.resource} --since ${iso(now - DAY_MS).slice(0, 10)}`,
          ),
        );
      else out.push(f.ok(check, `${r.resource} sweep cursor at ${iso(at)}`));
    }
  }
  return out;
}
