import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, readiness, startService, type RunningService } from '@mlc/platform-testing';
import { SERVICE_NAMES, SHIP_TO_LOCATIONS, System, waitFor, WORLD } from './support/system';

const portKey = (service: string): string => `${service.toUpperCase().replace(/-/g, '_')}_PORT`;

/**
 * Combined mode (services/combined, `npm start -- --combined`, Helm `combined.enabled`): the six services in ONE
 * process, same code and configuration, each on its own port. One PO goes all the way through it: Fusion → poller →
 * mapper → shipbob-writer → ShipBob sandbox order, and the delivery webhook → gateway → mapper → fusion-writer →
 * receipt in Fusion.
 */
describe('combined mode: all six services in one process', { timeout: 300_000 }, () => {
  let system: System;
  let combined: RunningService;
  const urls = new Map<string, string>();

  before(async () => {
    system = await System.start('e2e-combined', { services: [] });
    // audit-projector takes PORT (the one startService picks and waits on); every other service its own <NAME>_PORT.
    const ports: Record<string, string> = {};
    for (const name of SERVICE_NAMES.slice(1)) ports[portKey(name)] = String(await freePort());
    combined = await startService('combined', { ...system.env(), ...ports });
    urls.set('audit-projector', combined.url);
    for (const name of SERVICE_NAMES.slice(1)) urls.set(name, `http://127.0.0.1:${ports[portKey(name)]}`);
    // The harness addresses services by name (webhook subscriptions go to the gateway's port): all are this process.
    for (const name of SERVICE_NAMES) system.services.set(name, { ...combined, name, url: urls.get(name)! });
    await system.subscribeWebhooks();
  });
  after(async () => {
    await combined?.stop();
    system?.services.clear();
    await system?.close();
  });

  it('answers /health/ready on each of the six ports', async () => {
    for (const name of SERVICE_NAMES) await waitFor(async () => (await readiness(urls.get(name)!)) === 200, { timeoutMs: 120_000, what: `${name} ready` });
    const live = await Promise.all(SERVICE_NAMES.map(async (n) => (await fetch(`${urls.get(n)}/health/live`)).status));
    assert.deepEqual(live, [200, 200, 200, 200, 200, 200]);
  });

  it('a Fusion PO line becomes a ShipBob order, and its delivery a receipt in Fusion', async () => {
    const [po] = system.fusion.seedPurchaseOrders({
      count: 1,
      linesPerPo: 1,
      seed: 5,
      suppliers: ['Acme Components'],
      locations: SHIP_TO_LOCATIONS.slice(0, 1),
      items: [{ Item: WORLD.items[0].item, UOM: 'Each' }],
    });
    const mine = () => system.shipbobOrders().filter((o) => o.reference_id.startsWith(`po${po!.POHeaderId}-`));
    const [order] = await waitFor(() => (mine().length ? mine() : undefined), { timeoutMs: 90_000, what: 'the ShipBob order of the PO line' });
    assert.equal(mine().length, 1);
    assert.deepEqual(
      order!.products.map((p) => p.sku),
      [WORLD.items[0].sku],
    );
    for (const s of order!.shipments) system.shipbob.runLifecycle(s.id);
    await waitFor(() => system.fusion.written.receipts.some((r) => String(r['OrderNumber']) === po!.OrderNumber), {
      timeoutMs: 90_000,
      what: 'the receipt in Fusion',
    });
  });

  it('drains every service on SIGTERM and exits 0', async () => {
    assert.equal(await combined.stop('SIGTERM'), 0);
  });
});
