// The one load generator of the gateway benchmarks: Standard-Webhooks-signed ShipBob `order.shipped` deliveries
// posted over keep-alive connections (fetch's pooled agent) by `concurrency` workers, each timing its own request.
// The product bench and the bare-gateway ceiling both use it, so their figures differ only by the server.
import { generateWebhookSecret, type ShipbobWebhookSigner } from '@mlc/partners-shipbob-simulator';
import { readFileSync } from 'node:fs';
import { percentile, round, TENANT, type World } from './bench-kit';

/** Gives the bench tenant a ShipBob connection with a fresh webhook secret (the API itself is never called) and returns the secret. */
export async function benchShipbobSecret(world: World): Promise<string> {
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
  return secret;
}

/** The body of delivery n (about 450 bytes), unique per n. */
export function shippedBody(n: number): string {
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

export interface Shot {
  ms: number;
  /** HTTP status, 0 when the request failed (connection refused/reset). */
  status: number;
  retryAfter?: string | null;
  /** The `error` code of a refusal (`WEBHOOK.KAFKA_UNAVAILABLE`, ...), when the body has one. */
  error?: string;
}

/** Posts deliveries `from` .. `from + count - 1` (webhook-id `msg_bench_<n>`) to `url`, `concurrency` at a time. */
export async function fireShipbobWebhooks(url: string, signer: ShipbobWebhookSigner, from: number, count: number, concurrency: number): Promise<Shot[]> {
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
      let retryAfter: string | null = null;
      let error: string | undefined;
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        const text = await res.text();
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        if (status !== 200) error = /"error":"([^"]+)"/.exec(text)?.[1];
      } catch (err) {
        status = 0;
        error = (err as Error).message;
      }
      shots.push({ ms: performance.now() - t0, status, retryAfter, ...(error ? { error } : {}) });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return shots;
}

export interface LoadFigures {
  requests: number;
  concurrency: number;
  /** Answered 200. */
  ok: number;
  /** Not 200, with the statuses seen (0: no answer) and the error codes of the refusals. */
  failed: number;
  statuses: number[];
  errors: string[];
  seconds: number;
  /** Requests per second over the whole run (all answers). */
  reqPerSec: number;
  /** Latency percentiles of the 200 answers. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** CPU time (user + system) a process has used so far, in ms (/proc/<pid>/stat; clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Times one load run and summarises it. */
export async function measureLoad(url: string, signer: ShipbobWebhookSigner, from: number, count: number, concurrency: number): Promise<LoadFigures> {
  const t0 = performance.now();
  const shots = await fireShipbobWebhooks(url, signer, from, count, concurrency);
  const seconds = (performance.now() - t0) / 1000;
  const ms = shots.filter((s) => s.status === 200).map((s) => s.ms);
  return {
    requests: count,
    concurrency,
    ok: ms.length,
    failed: shots.length - ms.length,
    statuses: [...new Set(shots.filter((s) => s.status !== 200).map((s) => s.status))],
    errors: [...new Set(shots.flatMap((s) => (s.error ? [s.error] : [])))],
    seconds: round(seconds, 2),
    reqPerSec: count / seconds,
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
    p99Ms: percentile(ms, 99),
    maxMs: ms.length ? Math.max(...ms) : Number.NaN,
  };
}
