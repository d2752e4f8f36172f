// webhook-gateway: signed ShipBob webhooks at concurrency 50 and 20 against the bare gateway ceilings measured in the
// same run (ceilings.ts): a bare node:http + HMAC + kafkajs server that coalesces sends (the target: >= 80 % of its
// req/s at concurrency 50, p99 < 50 ms) and one that sends once per request (for context). The gateway answers only
// after Kafka acknowledged the record, so the response time is the time a partner waits.
import { ShipbobWebhookSigner } from '@mlc/partners-shipbob-simulator';
import { compareRow, countTopic, note, openWorld, round, scaled, sleep, TENANT, type BenchService, type Row } from './bench-kit';
import { bareGatewayCeiling, type GatewayCeiling } from './ceilings';
import { benchShipbobSecret, cpuMs, measureLoad, type LoadFigures } from './webhook-load';

const WARMUP = 50;
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 50;

type Figures = LoadFigures & { sends?: number; cpuMsPerRequest?: number };

function detail(f: Figures, extra = ''): string {
  const parts = [`${f.ok}/${f.requests} answered 200`];
  if (f.failed) parts.push(`${f.failed} not (${[...f.statuses, ...f.errors].join(', ')})`);
  if (f.sends !== undefined) parts.push(`${f.sends} sends`);
  if (f.cpuMsPerRequest !== undefined) parts.push(`CPU ${round(f.cpuMsPerRequest, 2)} ms/req`);
  if (extra) parts.push(extra);
  return parts.join(', ');
}

function rowsFor(concurrency: number, product: Figures, ceiling: GatewayCeiling, mem: string): Row[] {
  return [
    {
      ...compareRow({
        figure: `req/s, concurrency ${concurrency}`,
        unit: 'req/s',
        product: product.reqPerSec,
        ceiling: ceiling.reqPerSec,
        ceilingLabel: 'bare, coalesced',
        better: 'higher',
        minRatio: TARGET_RATIO,
      }),
      detail: detail(product, mem),
    },
    {
      ...compareRow({
        figure: `p99 ms, concurrency ${concurrency}`,
        unit: 'ms',
        product: product.p99Ms,
        ceiling: ceiling.p99Ms,
        ceilingLabel: 'bare, coalesced',
        better: 'lower',
        bound: TARGET_P99_MS,
      }),
      detail: `p50 ${round(product.p50Ms)} ms, p95 ${round(product.p95Ms)} ms, max ${round(product.maxMs)} ms; ceiling ${detail(ceiling)}`,
    },
  ];
}

/** The gateway's count of Kafka sends of webhook records (`mlc_webhook_sends_total` on /metrics). */
async function kafkaSends(baseUrl: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const m = /^mlc_webhook_sends_total(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return undefined;
  }
}

export async function gatewayBench(): Promise<{ rows: Row[] }> {
  const m = scaled(Number(process.env['BENCH_GATEWAY_WEBHOOKS'] ?? 2000));
  const world = await openWorld('gateway');
  try {
    const secret = await benchShipbobSecret(world);
    const received = await countTopic(world.kafka, world.topic('shipbob.webhook.received.v1'));
    try {
      // Sweeps off: the tenant's ShipBob URL points nowhere, and the bench measures webhooks only.
      const gateway = await world.start('webhook-gateway', { SHOPIFY_SWEEP_ENABLED: 'false', SHIPBOB_SWEEP_ENABLED: 'false' });
      const url = `${gateway.url}/webhooks/shipbob/${TENANT}`;
      const signer = new ShipbobWebhookSigner(secret);
      // Warm-up: connections, JIT, the tenant cache; not measured.
      const warm = await measureLoad(url, signer, 0, WARMUP, 10);
      if (warm.failed) throw new Error(`gateway warm-up: ${warm.failed} of ${WARMUP} not answered 200 (${[...warm.statuses, ...warm.errors].join(', ')})`);
      let next = WARMUP;
      const product = async (concurrency: number, service: BenchService): Promise<{ load: Figures; mem: string }> => {
        await sleep(300);
        note(`gateway: ${m} webhooks, concurrency ${concurrency}`);
        const sends0 = await kafkaSends(service.url);
        service.watchMemory();
        const cpu0 = cpuMs(service.proc.child.pid!);
        const load = await measureLoad(url, signer, next, m, concurrency);
        const cpuMsPerRequest = (cpuMs(service.proc.child.pid!) - cpu0) / m;
        next += m;
        const mem = service.memory();
        const sends1 = await kafkaSends(service.url);
        return {
          load: { ...load, cpuMsPerRequest, ...(sends0 !== undefined && sends1 !== undefined ? { sends: sends1 - sends0 } : {}) },
          mem: `peak RSS ${mem.peakRssMb} MB, peak heap ${mem.peakHeapMb} MB`,
        };
      };
      // Product and ceiling alternate, so both see the same machine load.
      const c50 = await bareGatewayCeiling({ coalesce: true, concurrency: 50, requests: m });
      const p50 = await product(50, gateway);
      const c20 = await bareGatewayCeiling({ coalesce: true, concurrency: 20, requests: m });
      const p20 = await product(20, gateway);
      const single = await bareGatewayCeiling({ coalesce: false, concurrency: 50, requests: m });
      const accepted = WARMUP + p50.load.ok + p20.load.ok;
      await received.reach(accepted, 60_000, 'webhook records on Kafka');
      await sleep(500);
      const onKafka = received.count();
      return {
        rows: [
          ...rowsFor(50, p50.load, c50, p50.mem),
          ...rowsFor(20, p20.load, c20, p20.mem),
          {
            ...compareRow({
              figure: 'req/s, concurrency 50, vs one send per request',
              unit: 'req/s',
              product: p50.load.reqPerSec,
              ceiling: single.reqPerSec,
              ceilingLabel: 'bare, one send per request',
              better: 'higher',
            }),
            detail: `ceiling p99 ${round(single.p99Ms)} ms, ${detail(single)}`,
          },
          {
            figure: 'records on Kafka = answered 200',
            product: onKafka,
            ceiling: accepted,
            ratio: '-',
            target: 'equal',
            verdict: onKafka === accepted ? 'met' : 'MISSED',
            detail: 'every 200 is on the topic once (warm-up included)',
          },
        ],
      };
    } finally {
      await received.stop();
    }
  } finally {
    await world.close();
  }
}
