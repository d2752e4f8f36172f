// webhook-gateway: M signed ShipBob webhooks at concurrency C. The gateway answers only after Kafka acknowledged
// the record, so the response time is the time a partner waits (ShipBob and Shopify give up after 5 s).
import { generateWebhookSecret, ShipbobWebhookSigner } from '@mlc/partners-shipbob-simulator';
import { countTopic, note, openWorld, percentile, round, scaled, sleep, TENANT, type Row } from './bench-kit';

const WARMUP = 50;

function shippedBody(n: number): string {
  return JSON.stringify({
    id: 500_000 + n,
    reference_id: `po${300100000000000 + n}-l${300100000100000 + n}-r0`,
    order_number: String(1000 + n),
    status: 'Fulfilled',
    shipments: [
      {
        id: 900_000 + n,
        status: 'Completed',
        location: { id: 8, name: 'SHIPBOB-RENO' },
        tracking: { carrier: 'UPS', tracking_number: `1Z999AA1${String(n).padStart(10, '0')}` },
        products: [{ id: 1, sku: 'SB-TSHIRT-M', inventory_items: [{ id: 1, quantity: 3 }] }],
      },
    ],
  });
}

interface Shot {
  ms: number;
  status: number;
}

async function fire(url: string, signer: ShipbobWebhookSigner, from: number, count: number, concurrency: number): Promise<Shot[]> {
  const shots: Shot[] = [];
  let next = from;
  const end = from + count;
  const worker = async (): Promise<void> => {
    while (next < end) {
      const n = next++;
      const body = shippedBody(n);
      const headers = signer.headers(`msg_bench_${n}`, Math.floor(Date.now() / 1000), body, 'order.shipped');
      const t0 = performance.now();
      let status = 0;
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0;
      }
      shots.push({ ms: performance.now() - t0, status });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return shots;
}

export async function gatewayBench(): Promise<{ rows: Row[] }> {
  const m = scaled(Number(process.env['BENCH_GATEWAY_WEBHOOKS'] ?? 2000));
  const concurrency = Number(process.env['BENCH_GATEWAY_CONCURRENCY'] ?? 20);
  const world = await openWorld('gateway');
  try {
    const secret = generateWebhookSecret();
    await world.tenants.setConnection(
      TENANT,
      {
        partner: 'shipbob',
        baseUrl: 'http://127.0.0.1:9',
        channelId: '1000',
        webhookSecrets: [secret],
        auth: { type: 'pat', token: 'sbpat_bench_0000000000000000000000000000000' },
      },
      'bench',
    );
    const received = await countTopic(world.kafka, world.topic('shipbob.webhook.received.v1'));
    try {
      const gateway = await world.start('webhook-gateway', { SHOPIFY_SWEEP_ENABLED: 'false' });
      const url = `${gateway.url}/webhooks/shipbob/${TENANT}`;
      const signer = new ShipbobWebhookSigner(secret);
      // Warm-up: connections, JIT, the tenant cache; not measured.
      const warm = await fire(url, signer, 0, WARMUP, Math.min(concurrency, 10));
      const warmFailed = warm.filter((s) => s.status !== 200);
      if (warmFailed.length) throw new Error(`gateway warm-up: ${warmFailed.length} of ${WARMUP} answered ${warmFailed[0]!.status}`);
      await sleep(500);
      note(`gateway: ${m} webhooks, concurrency ${concurrency}`);
      gateway.watchMemory();
      const t0 = performance.now();
      const shots = await fire(url, signer, WARMUP, m, concurrency);
      const sec = (performance.now() - t0) / 1000;
      const mem = gateway.memory();
      await received.reach(WARMUP + m, 60_000, 'webhook records on Kafka');
      const ok = shots.filter((s) => s.status === 200);
      const ms = ok.map((s) => s.ms);
      const statuses = [...new Set(shots.filter((s) => s.status !== 200).map((s) => s.status))];
      return {
        rows: [
          {
            webhooks: m,
            concurrency,
            'HTTP 200': ok.length,
            'not 200': `${shots.length - ok.length}${statuses.length ? ` (${statuses.join('/')})` : ''}`,
            'on Kafka': received.count() - WARMUP,
            'req/s': Math.round(m / sec),
            'p50 ms': round(percentile(ms, 50)),
            'p95 ms': round(percentile(ms, 95)),
            'p99 ms': round(percentile(ms, 99)),
            'max ms': round(Math.max(...ms)),
            'peak RSS MB': mem.peakRssMb,
            'peak heap MB': mem.peakHeapMb,
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
