import { as, type Setting } from '@mlc/platform-config';

/** Settings of the purchase-orders feature of mapper (merged into the service's settings). */
export const purchaseOrdersSettings = {
  mapperPoConcurrencyPerPartition: {
    env: 'MAPPER_PO_CONCURRENCY_PER_PARTITION',
    doc: 'PO events of one partition mapped at the same time (one PO’s events always in order, different POs side by side); 1 = one after another (the default: above 1 the consumer reads batches and the kafkajs instrumentation links, not parents, each record’s span to its producer’s trace; npm run bench sets 16/256)',
    parse: as.int(1, 256),
    default: 1,
  } as Setting<number>,
} satisfies Record<string, Setting<unknown>>;
