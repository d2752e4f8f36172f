// audit-projector rebuild: a fresh consumer group reads every audit-relevant topic from offset 0 into an empty
// PostgreSQL schema (what AUDIT_CONSUMER_GROUP=<new group> on a new database does). The topics have the production
// partition count and hold N events of a PO flow: the PO event, the ShipBob order synced, and every 50th an exception
// (the exceptions queue path). Timed from the first audit row to the N-th (the service's boot is left out). The
// projector runs as a rebuild does (AUDIT_WHOLE_BATCHES=true; BENCH: AUDIT_WHOLE_BATCHES=false measures one event at a
// time per partition, AUDIT_CONCURRENCY_PER_PARTITION side by side).
//
// Ceiling, measured in the same run: raw `pg` multi-row INSERTs of N rows shaped like audit_entries.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AvroCodec, TOPICS, type TopicRecords } from '@mlc/contracts';
import { ensureTopics, EventPublisher, newMeta, type OutgoingRecord } from '@mlc/platform-kafka';
import { compareRow, note, openWorld, round, scaled, sleep, TENANT, type Row } from './bench-kit';
import { rawPgInsertCeiling } from './ceilings';
import { cpuMs } from './webhook-load';
import { poEvent } from './pipeline.bench';

function flowEvents(i: number): OutgoingRecord[] {
  const po = poEvent(1);
  const key = `${TENANT}:${po.poHeaderId}`;
  const referenceId = `po${po.poHeaderId}-l${po.lines[0]!.poLineId}-r1`;
  const synced: TopicRecords['fulfilment.shipbob-order.synced.v1'] = {
    meta: newMeta({ tenantId: TENANT, source: 'shipbob-writer', causedBy: po.meta }),
    outcome: 'created',
    referenceId,
    shipbobOrderId: String(9_000_000 + i),
    channelId: '1000',
    poHeaderId: po.poHeaderId,
    poNumber: po.orderNumber,
    poLineIds: [po.lines[0]!.poLineId],
    fulfillmentCenterId: 8,
    status: 'Processing',
  };
  const out: OutgoingRecord[] = [
    { topic: 'erp.purchase-order.changed.v1', key, value: po },
    { topic: 'fulfilment.shipbob-order.synced.v1', key, value: synced },
  ];
  if (i % 50 === 0) {
    const exception: TopicRecords['ops.exception.raised.v1'] = {
      meta: newMeta({ tenantId: TENANT, source: 'mapper', causedBy: po.meta }),
      service: 'mapper',
      code: 'MAPPING.MISSING_PRODUCT',
      category: 'missing-mapping',
      message: `no ShipBob product for ${po.lines[0]!.itemNumber}`,
      attempts: 1,
      sourceTopic: 'erp.purchase-order.changed.v1',
      sourcePartition: 0,
      sourceOffset: String(i),
      sourceKey: key,
      sourceEventId: po.meta.eventId,
      entityType: 'shipbob-order',
      businessId: `${referenceId}x`,
      details: '{}',
      payload: Buffer.from('{}'),
    };
    out.push({ topic: 'ops.exception.raised.v1', key: `${TENANT}:${referenceId}x`, value: exception });
  }
  return out;
}

export async function projectionBench(): Promise<{ rows: Row[] }> {
  const flows = scaled(Number(process.env['BENCH_PROJECTION_FLOWS'] ?? 25_000));
  const world = await openWorld('projection');
  const suffix = `.t${Date.now().toString(36).padStart(8, '0')}${randomBytes(3).toString('hex')}`;
  const partitions = Number(process.env['BENCH_PROJECTION_PARTITIONS'] ?? TOPICS['erp.purchase-order.changed.v1'].partitions);
  await ensureTopics(world.kafka, { suffix, partitions });
  const publisher = new EventPublisher(world.kafka, new AvroCodec(), suffix);
  const pg = new Client({ connectionString: world.db.url });
  try {
    await publisher.connect();
    await pg.connect();
    let events = 0;
    const publishStart = Date.now();
    for (let i = 0; i < flows; i += 500) {
      const chunk = Array.from({ length: Math.min(500, flows - i) }, (_, j) => flowEvents(i + j)).flat();
      events += chunk.length;
      await publisher.publishMany(chunk);
    }
    note(`projection: ${events} events of ${flows} PO flows on ${partitions} partitions, published in ${Date.now() - publishStart} ms`);
    const count = async (): Promise<number> => Number((await pg.query<{ n: string }>('SELECT count(*) AS n FROM audit_entries')).rows[0]!.n);
    const started = Date.now();
    const projector = await world.start('audit-projector', {
      KAFKA_TOPIC_SUFFIX: suffix,
      KAFKA_GROUP_ID_SUFFIX: suffix,
      AUDIT_CONSUMER_GROUP: `audit-projector.audit.rebuild-${suffix.slice(2)}`,
      // What a rebuild runs with: each fetched batch of a partition in one transaction and one offset commit.
      AUDIT_WHOLE_BATCHES: process.env['AUDIT_WHOLE_BATCHES'] ?? 'true',
    });
    projector.watchMemory();
    // CPU time of the projector and of the database sessions on this database (a local server's backends), from the
    // first audit row to the last: per event, the figure to judge by on a loaded machine.
    const pid = projector.proc.child.pid!;
    const sessions = async (): Promise<Map<number, number>> => {
      const pids = (await pg.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows;
      const out = new Map<number, number>();
      for (const r of pids) {
        try {
          out.set(r.pid, cpuMs(r.pid));
        } catch {
          // not on this machine, or gone
        }
      }
      return out;
    };
    let firstAt = 0;
    let firstCpu = 0;
    let firstSessions = new Map<number, number>();
    let n = 0;
    const deadline = Date.now() + 600_000;
    while (n < events) {
      if (Date.now() > deadline) throw new Error(`timed out: ${n}/${events} audit rows`);
      await sleep(50);
      n = await count();
      if (n > 0 && !firstAt) [firstAt, firstCpu, firstSessions] = [Date.now(), cpuMs(pid), await sessions()];
    }
    const doneAt = Date.now();
    const projectorCpuMs = cpuMs(pid) - firstCpu;
    let dbCpuMs = 0;
    for (const [p, ms] of await sessions()) dbCpuMs += ms - (firstSessions.get(p) ?? 0);
    const mem = projector.memory();
    const seconds = Math.max(0.001, (doneAt - firstAt) / 1000);
    const rate = events / seconds;
    const exceptions = Number((await pg.query<{ n: string }>('SELECT count(*) AS n FROM audit_exceptions')).rows[0]!.n);
    await projector.stop();
    const ceiling = await rawPgInsertCeiling(events);
    note(`projection: ${Math.round(rate)} events/s, ceiling ${Math.round(ceiling.perSec)} rows/s`);
    return {
      rows: [
        compareRow({
          figure: `rebuild from offset 0, ${events} events, ${partitions} partitions`,
          unit: 'events/s',
          product: rate,
          ceiling: ceiling.perSec,
          ceilingLabel: ceiling.label,
          better: 'higher',
          bound: 10_000,
        }),
        {
          figure: 'detail',
          product:
            `${round(seconds)} s first->last row, ${round((doneAt - started) / 1000)} s incl. boot, ${exceptions} exceptions, peak RSS ${mem.peakRssMb} MB; ` +
            `CPU per event: projector ${Math.round((projectorCpuMs * 1000) / events)} µs, its database sessions ${Math.round((dbCpuMs * 1000) / events)} µs`,
        },
      ],
    };
  } finally {
    await pg.end().catch(() => undefined);
    await publisher.disconnect().catch(() => undefined);
    await world.close();
  }
}
