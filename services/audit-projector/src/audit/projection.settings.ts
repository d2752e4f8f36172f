import { as, type Setting } from '@mlc/platform-config';

/** Settings of the audit projections' consumer (merged into audit-projector's settings). */
export const projectionSettings = {
  auditWholeBatches: {
    env: 'AUDIT_WHOLE_BATCHES',
    doc: 'project each fetched batch of a partition in one transaction with one offset commit (a rebuild from offset 0: AUDIT_CONSUMER_GROUP=<new group> on an empty schema; a failing batch is projected event by event); off (the default): events one at a time per partition, each record’s consumer span the child of its producer’s (in batches the kafkajs instrumentation links them instead)',
    parse: as.bool,
    default: false,
  } as Setting<boolean>,
  auditFetchMaxBytes: {
    env: 'AUDIT_FETCH_MAX_BYTES',
    doc: 'bytes of records one fetch of the audit consumer brings at most, over all partitions (bounds a batch and the memory it takes; a partition gets at most a quarter)',
    parse: as.int(65_536, 104_857_600),
    default: 4_194_304,
  } as Setting<number>,
} satisfies Record<string, Setting<unknown>>;
