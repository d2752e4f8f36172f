import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ShopifySandbox, type SimOrder } from '@mlc/partners-shopify-simulator';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { explainLosses, type MissingInput } from '../../tools/chaos/evidence';

/** A port nothing listens on: every webhook sent there is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

// The chaos run's account of its losses (tools/chaos/evidence.ts): each lost input is put at the first stage that
// never saw it, from the sandbox's own delivery records and the services' tables in a real PostgreSQL.
describe('chaos evidence: why an input is lost', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let client: Client;
  const shopify = new ShopifySandbox({ seed: 5, timeScale: 1_000_000, webhookMinTimeoutMs: 200 });
  const shipbob = new ShipbobSandbox({ seed: 3 });
  const orders: SimOrder[] = [];

  before(async () => {
    db = await testDatabase('chaos_evidence');
    client = new Client({ connectionString: db.url });
    await client.connect();
    // A gateway that never answers: every orders/create gives up after all retries, and after 8 such deliveries
    // the sandbox deletes the subscription, so the orders after that are never sent at all.
    shopify.subscribe({ topic: 'orders/create', uri: `http://127.0.0.1:${await closedPort()}/webhooks/shopify/t1` });
    const customer = shopify.createCustomer({
      firstName: 'Ada',
      lastName: 'Evidence',
      email: 'ada.evidence@example.com',
      address: { address1: '150 Elgin St', city: 'Ottawa', provinceCode: 'ON', countryCode: 'CA', zip: 'K1P 1J1' },
    });
    for (let i = 0; i < 12; i++) {
      orders.push(shopify.createOrder({ customerId: customer.id, lines: [{ sku: 'MLC-MUG', title: 'Enamel Mug', price: '18.00', quantity: 1 }] }));
      await shopify.dispatcher.idle();
    }
    const [, , , , , , , , , inLedger, inMapper, waiting] = orders.map((o) => String(o.id));
    // What the services would hold for the last three: the gateway's ledger (from its sweep), the mapper's order,
    // and an invoice fusion-writer holds back until the customer account exists.
    for (const id of [inLedger, inMapper, waiting])
      await client.query(
        `INSERT INTO gateway_deliveries (tenant_id, partner, dedupe_key, delivery_id, topic, origin, record_key, event_id)
         VALUES ('t1', 'shopify', $1, $1, 'orders/create', 'sweep', $2, $1)`,
        [`orders/create|sweep:${id}`, `${shopify.shopDomain}|order|${id}|1765000000000`],
      );
    for (const id of [inMapper, waiting])
      await client.query(
        `INSERT INTO mapper_shopify_orders (tenant_id, order_id, shop_domain, last_updated_at, last_updated_raw, invoice_command, ledger, bill_to)
         VALUES ('t1', $1, $2, now(), '2026-01-01T00:00:00Z', '{}', '{}', '{}')`,
        [id, shopify.shopDomain],
      );
    await client.query(
      `INSERT INTO fusion_writer_receivables_waiting (tenant_id, idempotency_key, kind, waits_for, shopify_order_id, command, deadline)
       VALUES ('t1', $1, 'invoice', 'customer:77', $2, '{}', now() + interval '1 hour')`,
      [`invoice:${waiting}`, waiting],
    );
    // PO 501 was read by oracle-poller and never mapped; PO 502 was never read.
    await client.query(
      `INSERT INTO poller_emitted (tenant_id, feed, entity_id, last_update_ms, last_update_date, event_id) VALUES ('t1', 'purchase-orders', '501', 1, 'x', 'e1')`,
    );
  });

  after(async () => {
    shopify.dispatcher.close();
    await client?.end();
    await db?.drop();
  });

  it('names the stage, the webhook attempts and the deleted subscription of each lost input', async () => {
    const missing: MissingInput[] = [
      ...orders.map((o) => ({ tenant: 't1', kind: 'shopify-order' as const, orderId: String(o.id) })),
      { tenant: 't1', kind: 'po-line', poHeaderId: '501', lineId: '1' },
      { tenant: 't1', kind: 'po-line', poHeaderId: '502', lineId: '1' },
    ];
    const e = await explainLosses(client, [{ id: 't1', shopify, shipbob }], missing, 40);
    assert.deepEqual(Object.fromEntries(e.byStage.map((s) => [s.stage, s.count])), {
      'shopify order: not in the gateway ledger (webhook gave up, subscription deleted, no sweep)': 8,
      'shopify order: not in the gateway ledger (no webhook, subscription deleted, no sweep)': 1,
      'shopify order: in the gateway ledger, not in mapper_shopify_orders': 1,
      'shopify order: in mapper_shopify_orders, not waiting, no Fusion invoice': 1,
      'shopify order: fusion-writer waiting (invoice waits for customer)': 1,
      'po line: emitted by oracle-poller, not in mapper_po_orders': 1,
      'po line: not emitted by oracle-poller (poller_emitted)': 1,
    });
    const first = e.samples.find((l) => l.startsWith(`t1 Shopify order ${orders[0]!.id}:`));
    assert.match(first ?? '', /orders\/create webhook 9 attempts, last HTTP fetch failed, gave up after all retries; subscription deleted by the sandbox/);
    const ninth = e.samples.find((l) => l.startsWith(`t1 Shopify order ${orders[8]!.id}:`));
    assert.match(ninth ?? '', /no orders\/create webhook sent by the sandbox/);
    assert.ok(e.samples.some((l) => /waits for customer:77/.test(l)));
  });
});
