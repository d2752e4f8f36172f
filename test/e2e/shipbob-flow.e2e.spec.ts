import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PurchaseOrder } from '@mlc/partners-fusion-simulator';
import { EventPublisher, topicName } from '@mlc/platform-kafka';
import { SHIP_TO_LOCATIONS, System, TENANT, waitFor, WORLD } from './support/system';

/** What the partner systems hold at the end: the facts a customer would check, without ids or timestamps. */
interface FinalState {
  shipbobOrders: string[];
  fusionAsns: string[];
  fusionReceipts: string[];
  fusionClosures: string[];
}

function finalState(system: System, pos: PurchaseOrder[]): FinalState {
  const numbers = new Set(pos.map((p) => p.OrderNumber));
  const ids = new Set(pos.map((p) => String(p.POHeaderId)));
  const line = (r: Record<string, unknown>) => `${String(r['OrderNumber'])}/${String(r['LineNumber'])} ${String(r['Item'])} x${String(r['Quantity'])}`;
  return {
    shipbobOrders: system
      .shipbobOrders()
      .filter((o) => o.status !== 'Cancelled' && ids.has(o.reference_id.replace(/^po(\d+)-.*$/, '$1')))
      .map(
        (o) =>
          `${o.reference_id.replace(/^po\d+-l\d+-/, '')} ${o.products.map((p) => `${p.sku} x${p.quantity}`).join(',')} fc${o.shipments[0]?.location.id} ch${o.channel.id}`,
      )
      .sort(),
    fusionAsns: system.fusion.written.asns
      .filter((a) => numbers.has(String(a['OrderNumber'])))
      .map(line)
      .sort(),
    fusionReceipts: system.fusion.written.receipts
      .filter((a) => numbers.has(String(a['OrderNumber'])))
      .map(line)
      .sort(),
    fusionClosures: system.fusion.written.closures
      .filter((c) => ids.has(String(c['POHeaderId'])) || numbers.has(String(c['OrderNumber'])))
      .map((c) => String(c['OrderNumber'] ?? c['POHeaderId']))
      .sort(),
  };
}

/** Seeds POs whose lines all map (items and ship-to locations of the e2e world). */
function seedPos(system: System, count: number, seed: number): PurchaseOrder[] {
  return system.fusion.seedPurchaseOrders({
    count,
    linesPerPo: 2,
    seed,
    suppliers: ['Acme Components'],
    locations: SHIP_TO_LOCATIONS,
    items: WORLD.items.map((i) => ({ Item: i.item, UOM: 'Each' })),
  });
}

/** The ShipBob orders a clean run makes for these POs, in FinalState's notation. */
function expectedOrders(system: System, pos: PurchaseOrder[]): string[] {
  return pos
    .flatMap((po) =>
      po.lines.map((l) => {
        const sku = WORLD.items.find((i) => i.item === l.Item)!.sku;
        const code = l.schedules[0]?.ShipToLocationCode;
        const fc = WORLD.locations.find((x) => x.code === code)!.fc;
        return `r0 ${sku} x${l.schedules.reduce((n, x) => n + Number(x.Quantity), 0)} fc${fc} ch${system.channelId}`;
      }),
    )
    .sort();
}

function linesOf(pos: PurchaseOrder[]): number {
  return pos.reduce((n, p) => n + p.lines.length, 0);
}

/** Moves every not-yet-started shipment of these POs through the happy path (pick → … → delivered). */
function deliverAll(system: System, pos: PurchaseOrder[]): number {
  const ids = new Set(pos.map((p) => String(p.POHeaderId)));
  let n = 0;
  for (const o of system.shipbobOrders()) {
    if (o.status === 'Cancelled' || !ids.has(o.reference_id.replace(/^po(\d+)-.*$/, '$1'))) continue;
    for (const s of o.shipments) {
      if (s.status === 'Completed' || s.delivery_date) continue;
      system.shipbob.runLifecycle(s.id);
      n += 1;
    }
  }
  return n;
}

async function untilDone(system: System, pos: PurchaseOrder[], what: string, timeoutMs = 90_000): Promise<FinalState> {
  const lines = linesOf(pos);
  await waitFor(
    () => {
      const s = finalState(system, pos);
      return s.fusionReceipts.length >= lines && s.fusionClosures.length >= pos.length;
    },
    { timeoutMs, what },
  );
  return finalState(system, pos);
}

describe('Fusion purchase orders → ShipBob → back to Fusion (end to end, all six services)', { timeout: 600_000 }, () => {
  let system: System;

  before(async () => {
    system = await System.start('e2e-shipbob');
  });
  after(async () => {
    await system?.close();
  });

  it('every PO line becomes exactly one ShipBob order, and deliveries come back as ASN, receipts and closure', async () => {
    const cleanPos = seedPos(system, 3, 11);
    const lines = linesOf(cleanPos);
    await waitFor(() => finalState(system, cleanPos).shipbobOrders.length === lines, { timeoutMs: 60_000, what: `${lines} ShipBob orders` });
    assert.deepEqual(finalState(system, cleanPos).shipbobOrders, expectedOrders(system, cleanPos));
    assert.equal(deliverAll(system, cleanPos), lines);
    const clean = await untilDone(system, cleanPos, 'ASNs, receipts and closures for the clean run');
    assert.equal(clean.fusionAsns.length, lines);
    assert.equal(clean.fusionReceipts.length, lines);
    assert.deepEqual(clean.fusionClosures, cleanPos.map((p) => p.OrderNumber).sort());
  });

  it('an unmapped product is one exception; after the mapping is fixed, a replay creates its order exactly once', async () => {
    const exceptions = await system.watch('ops.exception.raised.v1');
    const [po] = system.fusion.seedPurchaseOrders({
      count: 1,
      linesPerPo: 1,
      seed: 99,
      suppliers: ['Acme Components'],
      locations: SHIP_TO_LOCATIONS.slice(0, 1),
      items: [{ Item: WORLD.unmappedItem, UOM: 'Each' }],
    });
    const parked = await waitFor(() => exceptions.values().find((e) => e.code === 'MAPPING.MISSING_PRODUCT' && e.message.includes(po!.OrderNumber)), {
      timeoutMs: 60_000,
      what: 'the missing-mapping exception',
    });
    assert.equal(parked.category, 'missing-mapping');
    assert.equal(parked.entityType, 'shipbob-order');
    assert.equal(finalState(system, [po!]).shipbobOrders.length, 0);

    await system.tenants.setMapping(TENANT, 'item-product', WORLD.unmappedItem, { shipbobSku: WORLD.items[0].sku }, 'e2e');
    const publisher = new EventPublisher(system.kafka, system.codec, system.suffix);
    await publisher.connect();
    try {
      // Replay = republish the parked original, byte for byte, twice: the second must change nothing.
      for (let i = 0; i < 2; i++)
        await publisher.publishRaw(topicName(parked.sourceTopic as 'erp.purchase-order.changed.v1', system.suffix), [
          { key: parked.sourceKey ?? null, value: Buffer.from(parked.payload) },
        ]);
    } finally {
      await publisher.disconnect();
    }
    const requested = await system.watch('fulfilment.shipbob-order.requested.v1');
    await waitFor(() => finalState(system, [po!]).shipbobOrders.length === 1, { timeoutMs: 60_000, what: 'the replayed order' }).catch((err: Error) => {
      const mine = (v: { poHeaderId?: string | null }) => v.poHeaderId === String(po!.POHeaderId);
      throw new Error(
        `${err.message}\nexceptions: ${JSON.stringify(exceptions.values().map((e) => [e.code, e.message, e.businessId]))}\ncommands: ${JSON.stringify(
          requested
            .values()
            .filter(mine)
            .map((c) => [c.action, c.referenceId]),
        )}\norders: ${JSON.stringify(system.shipbobOrders().map((o) => o.reference_id))}`,
      );
    });
    deliverAll(system, [po!]);
    const done = await untilDone(system, [po!], 'the replayed PO written back');
    assert.equal(done.shipbobOrders.length, 1);
    assert.equal(done.fusionReceipts.length, 1);
  });

  it('duplicated and reordered webhooks, a 429 storm, a Fusion outage and SIGKILLed services end in the same state', async () => {
    const exceptions = await system.watch('ops.exception.raised.v1');
    const requested = await system.watch('fulfilment.shipbob-order.requested.v1');
    const synced = await system.watch('fulfilment.shipbob-order.synced.v1');
    const changed = await system.watch('erp.purchase-order.changed.v1');
    const explain = (err: Error): never => {
      throw new Error(
        `${err.message}\nexceptions: ${JSON.stringify(exceptions.values().map((e) => [e.service, e.code, e.message.slice(0, 200)]))}\nstate: ${JSON.stringify(finalState(system, pos))}\npos: ${JSON.stringify(pos.map((p) => p.POHeaderId))} changed: ${JSON.stringify(changed.values().map((c) => c.poHeaderId))}\nrequested: ${JSON.stringify(requested.values().map((c) => [c.action, c.referenceId]))}\nsynced: ${JSON.stringify(synced.values().map((c) => [c.outcome, c.referenceId]))}`,
      );
    };
    const pos = seedPos(system, 3, 11);
    const lines = linesOf(pos);
    // A 429 storm while the orders are created.
    await fetch(`${system.shipbob.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ rateLimitUntil: Date.now() + 4_000, rateLimitRetryAfterSec: 1 }),
    });
    // Kill the mapper and the writer while they work.
    await waitFor(() => finalState(system, pos).shipbobOrders.length >= 1 || system.shipbob.faults.rateLimitUntil! < Date.now(), {
      timeoutMs: 60_000,
      what: 'the storm or a first order',
    });
    await system.restart('mapper');
    await system.restart('shipbob-writer');
    await waitFor(() => finalState(system, pos).shipbobOrders.length === lines, {
      timeoutMs: 90_000,
      what: `${lines} ShipBob orders despite the storm and kills`,
    }).catch(explain);

    // Webhooks sent twice and newest first; Fusion down for a while during write-back; fusion-writer killed.
    system.shipbob.setWebhookSwitches({ duplicate: true, reorder: true });
    await fetch(`${system.fusion.url}/__admin/faults`, { method: 'POST', body: JSON.stringify({ outageFrom: Date.now(), outageUntil: Date.now() + 5_000 }) });
    deliverAll(system, pos);
    system.shipbob.setWebhookSwitches({ duplicate: true, reorder: false });
    await system.restart('fusion-writer');
    const chaos = await untilDone(system, pos, 'write-back despite duplicates, reordering, outage and kill', 120_000).catch(explain);
    // The same end state as a clean run: one order per line (right SKU, quantity, FC, channel), one ASN line and one
    // receipt line per PO line, one closure per PO.
    assert.deepEqual(chaos.shipbobOrders, expectedOrders(system, pos));
    assert.equal(chaos.fusionAsns.length, lines);
    assert.equal(chaos.fusionReceipts.length, lines);
    assert.deepEqual(chaos.fusionClosures, pos.map((p) => p.OrderNumber).sort());
    // Nothing created twice in either partner.
    const refs = system.shipbobOrders().map((o) => o.reference_id);
    assert.equal(new Set(refs).size, refs.length, 'no reference_id twice in ShipBob');
    const asnKeys = system.fusion.written.asns.map((a) => `${String(a['OrderNumber'])}/${String(a['LineNumber'])}`);
    assert.equal(new Set(asnKeys).size, asnKeys.length, 'no ASN line twice in Fusion');
    const receiptKeys = system.fusion.written.receipts.map((a) => `${String(a['OrderNumber'])}/${String(a['LineNumber'])}`);
    assert.equal(new Set(receiptKeys).size, receiptKeys.length, 'no receipt line twice in Fusion');
  });
});
