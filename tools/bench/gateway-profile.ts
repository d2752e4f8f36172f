// Profiles webhook-gateway under the gateway bench's load (not part of `npm run bench`):
//   npm run build && node dist/tools/bench/gateway-profile.js [requests] [concurrency] [profile-dir]
// Starts the gateway with `--cpu-prof` (when a profile directory is given), posts signed ShipBob webhooks and prints
// req/s, latency and the gateway's CPU ms per request; the .cpuprofile is written when the gateway exits.
import { ShipbobWebhookSigner } from '@mlc/partners-shipbob-simulator';
import { startService } from '@mlc/platform-testing';
import { openWorld, round, TENANT } from './bench-kit';
import { bareGatewayCeiling } from './ceilings';
import { benchShipbobSecret, cpuMs, measureLoad } from './webhook-load';

async function sendsOf(baseUrl: string): Promise<number> {
  const m = /^mlc_webhook_sends_total(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(await (await fetch(`${baseUrl}/metrics`)).text());
  return m ? Number(m[1]) : 0;
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 2000);
  const concurrency = Number(process.argv[3] ?? 50);
  const profileDir = process.argv[4];
  const world = await openWorld('gwprof');
  try {
    const secret = await benchShipbobSecret(world);
    const gw = await startService(
      'webhook-gateway',
      {
        ...world.env,
        SHOPIFY_SWEEP_ENABLED: 'false',
        SHIPBOB_SWEEP_ENABLED: 'false',
        ...(process.env['GW_ENV'] ? (JSON.parse(process.env['GW_ENV']) as Record<string, string>) : {}),
      },
      { execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] },
    );
    try {
      const url = `${gw.url}/webhooks/shipbob/${TENANT}`;
      const signer = new ShipbobWebhookSigner(secret);
      await measureLoad(url, signer, 0, 200, 10);
      const sends0 = await sendsOf(gw.url);
      const cpu0 = cpuMs(gw.child.pid!);
      const f = await measureLoad(url, signer, 200, requests, concurrency);
      const cpu = (cpuMs(gw.child.pid!) - cpu0) / requests;
      const sends = (await sendsOf(gw.url)) - sends0;
      const c = await bareGatewayCeiling({ coalesce: true, concurrency, requests });
      process.stdout.write(
        `product ${f.ok}/${f.requests} ok, ${round(f.reqPerSec)} req/s, p50 ${round(f.p50Ms)} p99 ${round(f.p99Ms)} ms, CPU ${round(cpu, 3)} ms/req, ${sends} sends ${f.errors.join(',')}\n` +
          `ceiling ${round(c.reqPerSec)} req/s, p50 ${round(c.p50Ms)} p99 ${round(c.p99Ms)} ms, CPU ${round(c.cpuMsPerRequest, 3)} ms/req, ${c.sends} sends\n` +
          `ratio ${round((100 * f.reqPerSec) / c.reqPerSec)} %, CPU ratio ${round(cpu / c.cpuMsPerRequest, 2)}\n`,
      );
    } finally {
      await gw.stop();
    }
  } finally {
    await world.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
