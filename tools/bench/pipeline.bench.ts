// mapper + shipbob-writer: PO events published on erp.purchase-order.changed.v1 -> one ShipBob sandbox order per PO
// line (per-po-line grouping). A burst measures throughput (its latencies are mostly queueing); a paced run at half
// that rate measures the end-to-end latency of a record that does not wait behind others. The topics have the
// production partition count (schemas/topics.json; BENCH_PIPELINE_PARTITIONS overrides it), keyed tenant:poHeaderId.
//
// Ceiling, measured in the same run: the slower of raw kafkajs consume of as many records of the PO events' size
// and the sandbox's bare order-create rate (concurrent POSTs of the order body the writer sent, straight to it).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AvroCodec, TOPICS, type TopicName, type TopicRecords } from '@mlc/contracts';
import { ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ensureTopics, EventPublisher, newMeta, toMessage, topicName, type OutgoingRecord } from '@mlc/platform-kafka';
import { collect } from '@mlc/platform-testing';
import { compareRow, countTopic, note, openWorld, percentile, round, scaled, sleep, TENANT, type Row } from './bench-kit';
import { rawConsumeCeiling, type Throughput } from './ceilings';

type PoEvent = TopicRecords['erp.purchase-order.changed.v1'];

const CHANNEL = 1000;
const PAT = 'sbpat_bench_pipeline_00000000000000000000000000';
const ITEMS = [
  { item: 'SKU-TSHIRT-M', sku: 'SB-TSHIRT-M' },
  { item: 'SKU-HOODIE-L', sku: 'SB-HOODIE-L' },
  { item: 'SKU-MUG', sku: 'SB-MUG' },
];
const LOCATION = { code: 'SHIPBOB-RENO', fc: 8 };

let nextPo = 310_000_000_000_000;

export function poEvent(lineCount: number): PoEvent {
  const poHeaderId = String(nextPo++);
  return {
    meta: newMeta({ tenantId: TENANT, source: 'bench' }),
    poHeaderId,
    orderNumber: poHeaderId.slice(-6),
    status: 'Open',
    lastUpdateDate: new Date().toISOString().replace('Z', '+00:00'),
    currencyCode: 'USD',
    procurementBusinessUnit: 'Vision Operations',
    supplier: 'Acme Components',
    supplierSite: 'MAIN',
    supplierId: '300100000000002',
    supplierNumber: 'SUP-1001',
    shipToLocationId: '300100000000004',
    shipToLocationCode: LOCATION.code,
    shipTo: {
      locationCode: LOCATION.code,
      name: 'Reno DC',
      address1: '1 Dock Road',
      address2: null,
      city: 'Reno',
      state: 'NV',
      postalCode: '89502',
      country: 'US',
      addressText: null,
    },
    lines: Array.from({ length: lineCount }, (_, i) => ({
      poLineId: `${poHeaderId}${i + 1}`,
      lineNumber: String(i + 1),
      itemNumber: ITEMS[i % ITEMS.length]!.item,
      description: null,
      quantity: String(1 + ((i * 7) % 40)),
      uom: 'Each',
      status: 'Open',
      shipToLocationCode: LOCATION.code,
      lineLastUpdateDate: null,
    })),
    raw: '{}',
  } as PoEvent;
}

const record = (po: PoEvent): OutgoingRecord => ({ topic: 'erp.purchase-order.changed.v1', key: `${TENANT}:${po.poHeaderId}`, value: po });

/** Watches the sandbox's order list (in-process) and stamps when each reference id first appears. */
class OrderClock {
  readonly seenAt = new Map<string, number>();
  private index = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly sandbox: ShipbobSandbox) {
    this.timer = setInterval(() => this.scan(), 5);
  }

  scan(): void {
    const orders = this.sandbox.orders;
    const now = Date.now();
    for (; this.index < orders.length; this.index++) {
      const ref = orders[this.index]!.reference_id;
      if (!this.seenAt.has(ref)) this.seenAt.set(ref, now);
    }
  }

  get count(): number {
    return this.seenAt.size;
  }

  async reach(n: number, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.count < n) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${this.count}/${n} orders after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/**
 * CPU time (user + system, ms) a process has used so far (/proc/<pid>/stat): per record, a figure that holds up on a
 * loaded machine where wall-clock rates do not.
 */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Latencies (ms) of every line of the given POs: order first seen in ShipBob - the PO event's publish time. */
function latencies(clock: OrderClock, published: Map<string, number>): number[] {
  const out: number[] = [];
  for (const [ref, at] of clock.seenAt) {
    const po = /^po(\d+)-/.exec(ref)?.[1];
    const sent = po === undefined ? undefined : published.get(po);
    if (sent !== undefined) out.push(at - sent);
  }
  return out;
}

/**
 * The sandbox's bare order-create rate: `n` POSTs of the body the writer sent for `sample` (a new reference_id each),
 * `concurrency` at a time, straight to the sandbox over keep-alive (no client, no Kafka, no database).
 */
async function sandboxCreateCeiling(sandbox: ShipbobSandbox, n: number, concurrency: number): Promise<Throughput> {
  const sent = sandbox.requests().find((r) => r.method === 'POST' && r.path.endsWith('/order') && r.status === 201);
  if (!sent) throw new Error('no order POST in the sandbox log to measure the bare create rate with');
  const body = JSON.parse(sent.body) as Record<string, unknown>;
  const url = `${sandbox.url}${sent.path}`;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${PAT}`, shipbob_channel_id: String(CHANNEL), 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, reference_id: `ceiling-${i}` }),
        });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`bare order create answered ${res.status}`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { label: `sandbox bare POST /order, ${concurrency} at a time`, count: n, seconds, perSec: n / seconds };
}

export async function pipelineBench(): Promise<{ rows: Row[] }> {
  const lines = scaled(Number(process.env['BENCH_PIPELINE_LINES'] ?? 2000));
  const linesPerPo = 2;
  const world = await openWorld('pipeline');
  // Topics of this run with the production partition count (the world's test topics have one partition).
  const suffix = `.t${Date.now().toString(36).padStart(8, '0')}${randomBytes(3).toString('hex')}`;
  const partitions = Number(process.env['BENCH_PIPELINE_PARTITIONS'] ?? TOPICS['erp.purchase-order.changed.v1'].partitions);
  await ensureTopics(world.kafka, { suffix, partitions });
  const topic = (name: TopicName): string => topicName(name, suffix);
  const runEnv = { KAFKA_TOPIC_SUFFIX: suffix, KAFKA_GROUP_ID_SUFFIX: suffix };
  const sandbox = new ShipbobSandbox({ seed: 3, rateLimit: { limit: 1_000_000_000, windowMs: 60_000 } });
  const codec = new AvroCodec();
  const publisher = new EventPublisher(world.kafka, codec, suffix);
  let clock: OrderClock | undefined;
  let stopWatches = async (): Promise<void> => undefined;
  try {
    sandbox.seedData({
      channel: { id: CHANNEL, name: 'ML Connector' },
      pat: PAT,
      fulfillmentCenters: [{ id: LOCATION.fc, name: LOCATION.code }],
      products: ITEMS.map((i) => ({ sku: i.sku, name: i.item, on_hand_qty: 10_000_000 })),
    });
    await sandbox.listen();
    const t = world.tenants;
    await t.setConnection(
      TENANT,
      { partner: 'shipbob', baseUrl: sandbox.url, channelId: String(CHANNEL), webhookSecrets: [`whsec_${'B'.repeat(32)}`], auth: { type: 'pat', token: PAT } },
      'bench',
    );
    for (const i of ITEMS) await t.setMapping(TENANT, 'item-product', i.item, { shipbobSku: i.sku }, 'bench');
    await t.setMapping(TENANT, 'ship-to-fc', LOCATION.code, { fulfillmentCenterId: LOCATION.fc }, 'bench');
    await publisher.connect();
    clock = new OrderClock(sandbox);
    const commands = await countTopic(world.kafka, topic('fulfilment.shipbob-order.requested.v1'));
    const raised = await collect(world.kafka, topic('ops.exception.raised.v1'));
    stopWatches = async () => {
      await commands.stop();
      await raised.stop();
    };
    const [mapper, writer] = await Promise.all([world.start('mapper', runEnv), world.start('shipbob-writer', runEnv)]);

    // Warm-up: consumer groups joined, connections and caches made.
    const warm = Array.from({ length: 5 }, () => poEvent(linesPerPo));
    await publisher.publishMany(warm.map(record));
    await clock.reach(warm.length * linesPerPo, 60_000, 'warm-up orders').catch(async (err: Error) => {
      const state = await Promise.all(
        [mapper, writer].map(async (s) => {
          const metrics = await fetch(`${s.url}/metrics`)
            .then((r) => r.text())
            .catch(String);
          const flow = metrics
            .split('\n')
            .filter((l) => /^mlc_(records|consumer)/.test(l))
            .join('\n');
          return `${s.proc.name} ready: ${await fetch(`${s.url}/health/ready`)
            .then((r) => r.text())
            .catch(String)}\n${flow}`;
        }),
      );
      const exceptions = raised.messages.slice(0, 3).map((m) => {
        const e = codec.decodeFor('ops.exception.raised.v1', m.value!).value;
        return `${e.service} ${e.code}: ${e.message}`;
      });
      throw new Error(`${err.message}\n${state.join('\n')}\ncommands: ${commands.count()}, exceptions: ${raised.messages.length}\n${exceptions.join('\n')}`);
    });
    let expected = clock.count;

    // Burst: every PO at once.
    const pos = Array.from({ length: Math.ceil(lines / linesPerPo) }, () => poEvent(linesPerPo));
    const burstLines = pos.length * linesPerPo;
    note(`pipeline: burst of ${pos.length} POs / ${burstLines} lines on ${partitions} partitions`);
    mapper.watchMemory();
    writer.watchMemory();
    const burstPublished = new Map<string, number>();
    const cpuBefore = [cpuMs(mapper.proc.child.pid), cpuMs(writer.proc.child.pid)];
    const burstStart = Date.now();
    for (let i = 0; i < pos.length; i += 250) {
      const chunk = pos.slice(i, i + 250);
      const at = Date.now();
      await publisher.publishMany(chunk.map(record));
      for (const po of chunk) burstPublished.set(po.poHeaderId, at);
    }
    const publishedIn = Date.now() - burstStart;
    expected += burstLines;
    await clock.reach(expected, 600_000, 'burst orders');
    const burstEnd = Date.now();
    const [mapperCpu, writerCpu] = [cpuMs(mapper.proc.child.pid) - cpuBefore[0]!, cpuMs(writer.proc.child.pid) - cpuBefore[1]!];
    // When mapper published the burst's last command (the rest of the burst's time is shipbob-writer's).
    const mapperDoneSec = ((commands.lastTs() ?? burstEnd) - burstStart) / 1000;
    const burstLat = latencies(clock, burstPublished);
    const burstSec = (burstEnd - burstStart) / 1000;
    const burstRate = burstLines / burstSec;
    const mapperMem = mapper.memory();
    const writerMem = writer.memory();

    // Paced: one-line POs at half the burst rate, for at most ~20 s.
    const rate = Math.max(1, Math.floor(burstRate / 2));
    const pacedCount = Math.min(scaled(300), rate * 20);
    note(`pipeline: paced ${pacedCount} lines at ${rate}/s`);
    const pacedPublished = new Map<string, number>();
    const pacedStart = Date.now();
    for (let i = 0; i < pacedCount; i++) {
      const due = pacedStart + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const po = poEvent(1);
      const at = Date.now();
      await publisher.publish(record(po) as OutgoingRecord<'erp.purchase-order.changed.v1'>);
      pacedPublished.set(po.poHeaderId, at);
    }
    expected += pacedCount;
    await clock.reach(expected, 300_000, 'paced orders');
    const pacedSec = (Date.now() - pacedStart) / 1000;
    const pacedLat = latencies(clock, pacedPublished);
    clock.scan();
    const duplicates = sandbox.orders.length - clock.count;

    // Ceilings, after the product's run (nothing else on the machine's two cores meanwhile).
    const eventBytes = Math.round(
      pos.slice(0, 20).reduce((sum, po) => sum + (toMessage(codec, record(po)).value as Buffer).length, 0) / Math.min(20, pos.length),
    );
    const consume = await rawConsumeCeiling(pos.length, { bytes: eventBytes, partitions });
    const creates = await sandboxCreateCeiling(sandbox, burstLines, Number(process.env['BENCH_PIPELINE_CEILING_CONCURRENCY'] ?? 32));
    note(
      `pipeline: ceilings ${Math.round(consume.perSec)} PO events/s consumed (${Math.round(consume.perSec * linesPerPo)} lines/s), ${Math.round(creates.perSec)} bare creates/s`,
    );
    const ceiling =
      consume.perSec * linesPerPo < creates.perSec ? { perSec: consume.perSec * linesPerPo, label: `${consume.label}, ${linesPerPo} lines each` } : creates;

    const row = (phase: string, n: number, sec: number, lat: number[], extra: Row): Row => ({
      phase,
      'PO lines': n,
      seconds: round(sec),
      'orders/s': round(n / sec),
      'p50 ms': Math.round(percentile(lat, 50)),
      'p95 ms': Math.round(percentile(lat, 95)),
      'p99 ms': Math.round(percentile(lat, 99)),
      ...extra,
    });
    return {
      rows: [
        compareRow({
          figure: `burst, ${burstLines} PO lines, ${partitions} partitions`,
          unit: 'lines/s',
          product: burstRate,
          ceiling: ceiling.perSec,
          ceilingLabel: ceiling.label,
          better: 'higher',
          bound: 500,
        }),
        compareRow({
          figure: 'sandbox bare order creates (context)',
          unit: 'orders/s',
          product: burstRate,
          ceiling: creates.perSec,
          ceilingLabel: creates.label,
          better: 'higher',
        }),
        compareRow({
          figure: 'raw consume of the PO events (context)',
          unit: 'lines/s',
          product: burstRate,
          ceiling: consume.perSec * linesPerPo,
          ceilingLabel: consume.label,
          better: 'higher',
        }),
        row('burst', burstLines, burstSec, burstLat, {
          'publish s': round(publishedIn / 1000),
          'mapper done s': round(mapperDoneSec),
          'CPU ms/line mapper/writer': `${round(mapperCpu / burstLines)}/${round(writerCpu / burstLines)}`,
          'mapper RSS/heap MB': `${mapperMem.peakRssMb}/${mapperMem.peakHeapMb}`,
          'writer RSS/heap MB': `${writerMem.peakRssMb}/${writerMem.peakHeapMb}`,
          'duplicate orders': duplicates,
        }),
        row(`paced ${rate}/s`, pacedCount, pacedSec, pacedLat, {}),
      ],
    };
  } finally {
    clock?.stop();
    await stopWatches();
    await publisher.disconnect().catch(() => undefined);
    await world.close();
    await sandbox.close();
  }
}
