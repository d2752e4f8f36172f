import { as, type Setting } from '@mlc/platform-config';

/** Settings of the audit projections and the ops API of audit-projector (merged into the service's settings). */
export const opsSettings = {
  auditConsumerGroup: {
    env: 'AUDIT_CONSUMER_GROUP',
    doc: 'consumer group of the audit projections (a rebuild into an empty schema uses a fresh one, e.g. audit-projector.audit.replay-1)',
    parse: as.string,
    default: 'audit-projector.audit',
  } as Setting<string>,
  auditConcurrencyPerPartition: {
    env: 'AUDIT_CONCURRENCY_PER_PARTITION',
    doc: 'events of one partition projected at the same time (in order per key; those in hand together share one transaction); 1 = one after another (the default: above 1 the consumer reads batches and the kafkajs instrumentation links, not parents, each record’s span to its producer’s trace; npm run bench sets 16/256)',
    parse: as.int(1, 10_000),
    default: 1,
  } as Setting<number>,
  opsOperatorApiKeys: {
    env: 'MLC_OPERATOR_API_KEYS',
    doc: 'operator API keys of the ops API, `<key>:<tenant or *>` comma-separated (shared with the tenants admin API)',
    parse: as.string,
    secret: true,
    default: '',
  } as Setting<string>,
  opsOraclePollerUrl: {
    env: 'OPS_ORACLE_POLLER_URL',
    doc: 'base URL of oracle-poller, for "sync one record now" and backfills (the caller\'s operator key is passed on for backfills)',
    parse: as.url,
    default: 'http://127.0.0.1:3005',
  } as Setting<string>,
  opsFusionWriterUrl: {
    env: 'OPS_FUSION_WRITER_URL',
    doc: "base URL of fusion-writer, for the receivables commands waiting for their invoice (the caller's operator key is passed on)",
    parse: as.url,
    default: 'http://127.0.0.1:3004',
  } as Setting<string>,
  opsAlertWebhookUrl: {
    env: 'OPS_ALERT_WEBHOOK_URL',
    doc: 'webhook that hears (batched) about new exception kinds, paused flows and lag over the threshold (empty: metrics only)',
    parse: as.url,
    optional: true,
  } as Setting<string | undefined>,
  opsAlertWindowMs: {
    env: 'OPS_ALERT_WINDOW_MS',
    doc: 'alerts are batched: at most one webhook message per window',
    parse: as.int(100),
    default: 60_000,
  } as Setting<number>,
  opsLagAlertRecords: {
    env: 'OPS_LAG_ALERT_RECORDS',
    doc: 'consumer lag (records behind) above which an alert is raised',
    parse: as.int(1),
    default: 1_000,
  } as Setting<number>,
  opsLagCheckIntervalMs: {
    env: 'OPS_LAG_CHECK_INTERVAL_MS',
    doc: 'how often projection and consumer lag are measured (metric mlc_consumer_lag_records)',
    parse: as.int(500),
    default: 15_000,
  } as Setting<number>,
  opsLagGroups: {
    env: 'OPS_LAG_GROUPS',
    doc: 'other consumer groups whose lag is measured and alerted on, comma-separated',
    parse: as.list,
    default: [
      'mapper.purchase-orders',
      'mapper.shipments',
      'mapper.shopify',
      'shipbob-writer.orders',
      'fusion-writer.purchase-orders',
      'fusion-writer.receivables',
    ],
  } as Setting<string[]>,
} satisfies Record<string, Setting<unknown>>;
