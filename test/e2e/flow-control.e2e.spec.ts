import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PurchaseOrder } from '@mlc/partners-fusion-simulator';
import { PO_PIPELINE, SHIP_TO_LOCATIONS, SHIPBOB_WEBHOOK_SECRET, System, TENANT, waitFor, WORLD } from './support/system';

interface FlowRow {
  tenantId: string;
  partner: string;
  state: string;
  reason: string;
  actor: string;
}

/**
 * Pause / resume of a tenant's ShipBob flow, end to end on the real services (ops API → ops.flow-control.changed.v1 →
 * shipbob-writer holds the tenant's commands in Kafka), and a connection whose token ShipBob keeps refusing pausing
 * itself. The ShipBob sandbox's order list is the outcome: nothing while paused, exactly one order per PO line after.
 */
describe('flow control: pause / resume and self-pause on refused credentials (end to end)', { timeout: 300_000 }, () => {
  let system: System;
  let seed = 100;

  before(async () => {
    system = await System.start('e2e-flowctl', {
      services: ['audit-projector', 'oracle-poller', 'mapper', 'shipbob-writer'],
      env: { SHIPBOB_BACKOFF_BASE_MS: '100', SHIPBOB_BACKOFF_MAX_MS: '1000' },
    });
  });
  after(async () => {
    await system?.close();
  });

  const seedPos = (count: number): PurchaseOrder[] =>
    system.fusion.seedPurchaseOrders({
      count,
      linesPerPo: 2,
      seed: ++seed,
      suppliers: ['Acme Components'],
      locations: SHIP_TO_LOCATIONS,
      items: WORLD.items.map((i) => ({ Item: i.item, UOM: 'Each' })),
    });
  const lines = (pos: PurchaseOrder[]) => pos.reduce((n, p) => n + p.lines.length, 0);
  const ordersOf = (pos: PurchaseOrder[]) => {
    const ids = new Set(pos.map((p) => String(p.POHeaderId)));
    return system.shipbobOrders().filter((o) => ids.has(o.reference_id.replace(/^po(\d+)-.*$/, '$1')));
  };
  const flow = async (): Promise<FlowRow | undefined> => {
    const r = await system.operator('GET', `/ops/flows?tenant=${TENANT}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return (r.json as { flows: FlowRow[] }).flows.find((f) => f.tenantId === TENANT && f.partner === 'shipbob');
  };
  const setShipbobToken = (token: string) =>
    system.tenants.setConnection(
      TENANT,
      {
        partner: 'shipbob',
        baseUrl: system.shipbob.url,
        channelId: String(system.channelId),
        webhookSecrets: [SHIPBOB_WEBHOOK_SECRET],
        auth: { type: 'pat', token },
      },
      'e2e',
    );
  const assertOnePerLine = async (pos: PurchaseOrder[], what: string) => {
    await waitFor(() => ordersOf(pos).length >= lines(pos), { timeoutMs: 60_000, what });
    // Would a second order per line come? Not after another whole poll cycle and every record handled.
    await system.fusionPolled();
    await system.handled(PO_PIPELINE);
    const refs = ordersOf(pos).map((o) => o.reference_id);
    assert.equal(refs.length, lines(pos), `exactly one ShipBob order per PO line: ${refs.join(', ')}`);
    assert.equal(new Set(refs).size, refs.length, 'no reference id twice');
  };

  it('a paused flow holds the commands in Kafka (no ShipBob order); on resume each line becomes exactly one order', async () => {
    const requested = await system.watch('fulfilment.shipbob-order.requested.v1');
    const paused = await system.operator('POST', `/ops/tenants/${TENANT}/flows/shipbob/pause`, { reason: 'ShipBob maintenance window' });
    assert.ok(paused.status < 300, JSON.stringify(paused.json));
    assert.equal((await flow())?.state, 'paused');

    const pos = seedPos(2);
    const ids = new Set(pos.map((p) => String(p.POHeaderId)));
    await waitFor(() => requested.values().filter((c) => ids.has(c.poHeaderId)).length >= lines(pos), {
      timeoutMs: 60_000,
      what: 'commands on the writer topic',
    });
    // The writer has read the tenant's command and holds its partition (the hold shows in its readiness).
    await waitFor(async () => (await system.held('shipbob-writer')).length > 0, { timeoutMs: 60_000, what: 'the writer to hold the commands' });
    assert.equal(ordersOf(pos).length, 0, 'no ShipBob order while the flow is paused');

    const resumed = await system.operator('POST', `/ops/tenants/${TENANT}/flows/shipbob/resume`, {});
    assert.ok(resumed.status < 300, JSON.stringify(resumed.json));
    await assertOnePerLine(pos, 'orders after resume');
    assert.equal((await flow())?.state, 'resumed');
  });

  it('a connection ShipBob keeps refusing pauses itself and says why; fixed token + resume → orders created once', async () => {
    await setShipbobToken('sbpat_wrong_token_000000000000000000000000000');
    await new Promise((r) => setTimeout(r, 1_500)); // tenant snapshots are cached for 500 ms
    const pos = seedPos(1);

    const self = await waitFor(
      async () => {
        const f = await flow();
        return f?.state === 'paused' ? f : undefined;
      },
      { timeoutMs: 60_000, what: 'the flow paused by itself' },
    );
    assert.equal(self.actor, 'shipbob-writer');
    assert.match(self.reason, /authentication failures/);
    assert.match(self.reason, /SHIPBOB|ShipBob|credentials/i);
    assert.equal(ordersOf(pos).length, 0);

    await setShipbobToken(system.shipbobPat);
    await new Promise((r) => setTimeout(r, 1_500)); // tenant snapshots are cached for 500 ms (System's changes reach services by TTL only)
    assert.equal(ordersOf(pos).length, 0, 'still held: a fixed token alone does not resume a paused flow');
    const resumed = await system.operator('POST', `/ops/tenants/${TENANT}/flows/shipbob/resume`, { reason: 'token fixed' });
    assert.ok(resumed.status < 300, JSON.stringify(resumed.json));
    await assertOnePerLine(pos, 'orders after the token was fixed and the flow resumed');
    const exceptions = await system.operator('GET', `/ops/exceptions?tenant=${TENANT}&status=open`);
    assert.equal(exceptions.status, 200);
    assert.ok(!JSON.stringify(exceptions.json).includes('SHIPBOB.AUTH'), 'nothing was parked for the refused credentials');
  });
});
