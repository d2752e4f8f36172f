import { as, type Setting } from '@mlc/platform-config';

/** Settings of the receivables feature of fusion-writer (merged into the service's settings). */
export const receivablesSettings = {
  creditMemoAmountSign: {
    env: 'FUSION_CREDIT_MEMO_AMOUNT_SIGN',
    doc: 'negative | positive: how CreditMemoService.createCreditMemo amounts are written (UNCONFIRMED at Oracle; its credit memo APIs take credits as negative amounts)',
    parse: as.oneOf('negative', 'positive'),
    default: 'negative',
  } as Setting<'negative' | 'positive'>,
  receivablesMaxWaitMs: {
    env: 'FUSION_RECEIVABLES_MAX_WAIT_MS',
    doc: 'how long a credit memo, amendment, payment or cancellation waits for its invoice (set aside, released when the invoice is written) before it is raised as an exception',
    parse: as.int(1_000, 30 * 86_400_000),
    default: 86_400_000,
  } as Setting<number>,
  receivablesPartitionsConcurrently: {
    env: 'FUSION_RECEIVABLES_PARTITIONS_CONCURRENTLY',
    doc: "partitions of accounting.fusion-receivables.requested.v1 a replica writes from at once (each partition's records one at a time, in order; the write claims keep replicas and partitions from creating a document twice). A write holds up to 2 claim connections of the PG_POOL_MAX pool: keep 2 x this + 3 (purchase orders) below PG_POOL_MAX",
    parse: as.int(1, 12),
    default: 2,
  } as Setting<number>,
  receivablesWaitCheckMs: {
    env: 'FUSION_RECEIVABLES_WAIT_CHECK_MS',
    doc: 'how often waiting commands are checked against their deadline (and mlc_receivables_waiting updated)',
    parse: as.int(200, 3_600_000),
    default: 30_000,
  } as Setting<number>,
  operatorApiKeys: {
    env: 'MLC_OPERATOR_API_KEYS',
    doc: 'operator API keys for GET /receivables/tenants/:tenantId/waiting, `key:tenant-or-*` comma-separated (same format as the admin API); empty: the endpoint refuses every call',
    parse: as.string,
    secret: true,
    default: '',
  } as Setting<string>,
} satisfies Record<string, Setting<unknown>>;
