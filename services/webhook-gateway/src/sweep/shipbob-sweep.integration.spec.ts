import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import { formatReferenceId, readShipbobWebhook } from '@mlc/domain-fulfilment';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { generateWebhookSecret, ShipbobSandbox, type SentWebhook } from '@mlc/partners-shipbob-simulator';
import { EventPublisher, newMeta, topicName } from '@mlc/platform-kafka';
import { AvroCodec, type TopicName, type TopicRecords } from '@mlc/contracts';
import { collect, readiness, waitFor, type RunningService } from '@mlc/platform-testing';
import { DEMO_WEBHOOK_TOPICS } from '@mlc/tenants';
import * as testing from '@mlc/platform-testing';
import { gatewayTestEnv, type GatewayTestEnv, type Watched } from '../testing/gateway-test-env';

const TENANT = 'sb-sweep';
const SECRET = generateWebhookSecret();
const OVERLAP_MS = 5_000;
const LOOKBACK_MS = 600_000;
const codec = new AvroCodec();

interface Po {
  poHeaderId: string;
  poNumber: string;
  poLineId: string;
  shipmentId: string;
  referenceId: string;
}

/**
 * The ShipBob sweep on the real chain: ShipBob sandbox (signed webhooks, some dropped) → webhook-gateway (real process,
 * sweep on) → mapper → fusion-writer (real processes) → Fusion sandbox, on real Kafka and Postgres.
 */
describe('webhook-gateway: ShipBob sweep (real processes, Kafka, Postgres, ShipBob and Fusion sandboxes)', () => {
  let env: GatewayTestEnv<RunningService>;
  let shipbob: ShipbobSandbox;
  let fusion: FusionSandbox;
  let gateway: RunningService;
  let topic: Watched;
  let pool: Pool;
  let publisher: EventPublisher;
  let pat: string;
  let channelId: number;
  const collectors: Partial<Record<TopicName, Awaited<ReturnType<typeof collect>>>> = {};
  const others: RunningService[] = [];

  const decoded = <T extends TopicName>(t: T): TopicRecords[T][] => collectors[t]!.messages.map((m) => codec.decodeFor(t, m.value!).value);
  const byDelivery = (id: string) => topic.records().filter((r) => r.value.deliveryId === id);
  const swept = () => topic.records().filter((r) => r.value.headers['mlc-origin'] === 'sweep');
  const sent = (): SentWebhook[] => (shipbob as unknown as { sentWebhooks: SentWebhook[] }).sentWebhooks;
  const cursor = async (resource: string): Promise<Date> =>
    (await pool.query<{ updated_since: Date }>('SELECT updated_since FROM gateway_sweep_cursors WHERE tenant_id = $1 AND resource = $2', [TENANT, resource]))
      .rows[0]!.updated_since;
  async function sweeps(n: number): Promise<void> {
    const count = async (): Promise<number> => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      return Number(/mlc_shipbob_sweep_runs_total\{outcome="ok"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const target = (await count()) + n;
    await waitFor(async () => (await count()) >= target, { what: `${n} more ShipBob sweeps`, timeoutMs: 30_000 });
  }
  const fusionPoUpdates = async (poHeaderId: string): Promise<string[]> =>
    (
      await pool.query<{ record_key: string }>(
        "SELECT record_key FROM mapper_shipment_emitted WHERE tenant_id = $1 AND po_header_id = $2 AND topic = 'fulfilment.fusion-po-update.requested.v1' ORDER BY record_key",
        [TENANT, poHeaderId],
      )
    ).rows.map((r) => r.record_key);
  const mapperRead = async (deliveryId: string): Promise<boolean> =>
    ((await pool.query('SELECT 1 FROM mapper_shipment_deliveries WHERE tenant_id = $1 AND delivery_id = $2', [TENANT, deliveryId])).rowCount ?? 0) > 0;
  const written = (poHeaderId: string) => {
    const mine = (rows: Record<string, unknown>[]) => rows.filter((r) => String(r['POHeaderId']) === poHeaderId);
    return { asns: mine(fusion.written.asns), receipts: mine(fusion.written.receipts), closures: mine(fusion.written.closures) };
  };

  async function sb(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${shipbob.url}/2026-01${path}`, {
      method,
      headers: { authorization: `Bearer ${pat}`, shipbob_channel_id: String(channelId), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  /** A one-line Fusion PO (3 × SKU-A) and its ShipBob order, announced to mapper as mapper and shipbob-writer would. */
  async function poWithOrder(): Promise<Po> {
    const [created] = fusion.seedPurchaseOrders({ count: 1, linesPerPo: 1, items: [{ Item: 'SKU-A' }] });
    const poHeaderId = String(created!.POHeaderId);
    fusion.procurement.changeQuantity(poHeaderId, created!.lines[0]!.LineNumber, 3);
    const po = fusion.procurement.findPo(poHeaderId);
    const line = po.lines[0]!;
    const poLineId = String(line.POLineId);
    const referenceId = formatReferenceId({ grouping: 'line', poHeaderId, poLineId, revision: 0 });
    const meta = newMeta({ tenantId: TENANT, source: 'mapper' });
    await publisher.publish({
      topic: 'fulfilment.shipbob-order.requested.v1',
      key: `${TENANT}:${poHeaderId}`,
      value: {
        meta,
        action: 'create',
        referenceId,
        revision: 0,
        supersedesReferenceId: null,
        poHeaderId,
        poNumber: po.OrderNumber,
        poLastUpdateDate: po.LastUpdateDate,
        fulfillmentCenterId: 8,
        shippingMethod: 'Standard',
        recipient: null,
        products: [{ poLineId, lineNumber: String(line.LineNumber), itemNumber: line.Item, sku: 'SKU-A', productId: null, quantity: 3, uom: 'Each' }],
        mappingVersion: 1,
        reason: null,
        poLinesToFulfil: [poLineId],
      },
    });
    const order = await sb('POST', '/order', {
      reference_id: referenceId,
      shipping_method: 'Standard',
      type: 'B2B',
      location_id: 8,
      recipient: { name: 'Receiving dock', address: { address1: '1 Dock St', city: 'Reno', country: 'US' } },
      products: [{ reference_id: 'SKU-A', name: line.Item, quantity: 3 }],
    });
    assert.equal(order.status, 201, JSON.stringify(order.json));
    await publisher.publish({
      topic: 'fulfilment.shipbob-order.synced.v1',
      key: `${TENANT}:${poHeaderId}`,
      value: {
        meta: newMeta({ tenantId: TENANT, source: 'shipbob-writer', causedBy: meta }),
        outcome: 'created',
        referenceId,
        shipbobOrderId: String(order.json['id']),
        channelId: String(channelId),
        poHeaderId,
        poNumber: po.OrderNumber,
        poLineIds: [poLineId],
        fulfillmentCenterId: 8,
        status: String(order.json['status']),
      },
    });
    return { poHeaderId, poNumber: po.OrderNumber, poLineId, referenceId, shipmentId: String((order.json['shipments'] as { id: number }[])[0]!.id) };
  }

  before(async () => {
    env = await gatewayTestEnv('gw_sb_sweep', testing);
    pool = new Pool({ connectionString: env.db.url, max: 2 });
    fusion = new FusionSandbox();
    await fusion.listen();
    // Sweeps every second read GET /order twice and POST /transactions:query once: lift the 150/min limit.
    shipbob = new ShipbobSandbox({ seed: 3, webhookTimeScale: 100, rateLimit: { limit: 100_000 } });
    await shipbob.listen();
    const seeded = shipbob.seedData({ products: [{ sku: 'SKU-A', name: 'Widget A', on_hand_qty: 100 }], fulfillmentCenters: [{ id: 8, name: 'Cicero (IL)' }] });
    pat = seeded.pat;
    channelId = seeded.channel.id;

    await env.tenants.createTenant({ id: TENANT, name: 'ShipBob sweep', settings: { pollingIntervalsMs: { shipbobOrdersMs: 1000 } } }, 'test');
    await env.tenants.setConnection(
      TENANT,
      { partner: 'fusion', baseUrl: fusion.url, auth: { type: 'basic', username: fusion.options.basicUser, password: fusion.options.basicPassword } },
      'test',
    );
    await env.tenants.setConnection(
      TENANT,
      { partner: 'shipbob', baseUrl: shipbob.url, channelId, webhookSecrets: [SECRET], auth: { type: 'pat', token: pat } },
      'test',
    );

    publisher = new EventPublisher(env.kafka, codec, env.suffix);
    await publisher.connect();
    for (const t of ['fulfilment.fusion-po-update.requested.v1', 'fulfilment.shipbob-charge.recorded.v1'] as const) {
      collectors[t] = await collect(env.kafka, topicName(t, env.suffix));
    }
    topic = await env.watch('shipbob.webhook.received.v1');
    gateway = await env.startGateway({
      SHOPIFY_SWEEP_ENABLED: 'false',
      SHIPBOB_SWEEP_TICK_MS: '200',
      SHIPBOB_SWEEP_SETTLE_MS: '0',
      SHIPBOB_SWEEP_OVERLAP_MS: String(OVERLAP_MS),
      SHIPBOB_SWEEP_LOOKBACK_MS: String(LOOKBACK_MS),
    });
    const serviceEnv = { DATABASE_URL: env.db.url, KAFKA_TOPIC_SUFFIX: env.suffix, TENANT_CACHE_TTL_MS: '0' };
    others.push(await testing.startService('mapper', serviceEnv), await testing.startService('fusion-writer', serviceEnv));
    await waitFor(async () => (await readiness(gateway.url)) === 200, { what: 'gateway ready' });
    const sub = await sb('POST', '/webhook', {
      topics: DEMO_WEBHOOK_TOPICS.shipbob,
      url: `${gateway.url}/webhooks/shipbob/${TENANT}`,
      secret: SECRET,
    });
    assert.equal(sub.status, 200, JSON.stringify(sub.json));
    await sweeps(1);
  });

  after(async () => {
    for (const s of others) await s.stop();
    for (const c of Object.values(collectors)) await c?.stop();
    await publisher?.disconnect();
    await pool?.end();
    await shipbob?.close();
    await fusion?.close();
    await env?.close();
  });

  let first: Po;
  let droppedDelivery: SentWebhook;

  it('a delivery whose webhook was dropped is published by the sweep and written back to Fusion: ASN, receipt, close', async () => {
    first = await poWithOrder();
    shipbob.setWebhookSwitches({ drop: ['order.shipment.delivered'] });
    const from = sent().length;
    shipbob.runLifecycle(Number(first.shipmentId));
    const hooks = sent().slice(from);
    droppedDelivery = hooks.find((h) => h.topic === 'order.shipment.delivered')!;
    assert.equal(droppedDelivery.dropped, true, 'ShipBob lost the delivered webhook');
    assert.ok(hooks.filter((h) => h.topic !== 'order.shipment.delivered').every((h) => !h.dropped));

    const [rec] = await waitFor(
      () => (byDelivery(`sweep:shipment:${first.shipmentId}:delivered`).length ? byDelivery(`sweep:shipment:${first.shipmentId}:delivered`) : undefined),
      {
        what: 'the swept delivered state on shipbob.webhook.received.v1',
        timeoutMs: 30_000,
      },
    );
    assert.equal(rec!.value.partner, 'shipbob');
    assert.equal(rec!.value.topic, 'order.shipment.delivered');
    assert.equal(rec!.value.headers['x-webhook-topic'], 'order.shipment.delivered');
    assert.equal(rec!.value.headers['mlc-origin'], 'sweep');
    assert.equal(rec!.key, `${TENANT}:sweep:shipment:${first.shipmentId}:delivered`);
    // The mapper reads it as it reads the webhook: the same shipment, delivered, with ShipBob's tracking and units.
    const reading = readShipbobWebhook(rec!.value.topic, rec!.value.body);
    assert.equal(reading.kind, 'shipments');
    const fact = reading.kind === 'shipments' ? reading.facts[0]! : undefined;
    const shipment = shipbob.findShipment(Number(first.shipmentId))!.shipment;
    assert.equal(fact?.shipmentId, first.shipmentId);
    assert.equal(fact?.referenceId, first.referenceId);
    assert.equal(fact?.milestone, 'delivered');
    assert.equal(fact?.trackingNumber, shipment.tracking!.tracking_number);
    assert.equal(fact?.eventAt, shipment.delivery_date);
    assert.deepEqual(fact?.products, [{ sku: 'SKU-A', quantity: 3 }]);

    await waitFor(() => written(first.poHeaderId).closures.length === 1, { timeoutMs: 30_000, what: 'the PO closed for receiving in Fusion' });
    const w = written(first.poHeaderId);
    assert.equal(w.asns.length, 1);
    assert.equal(w.receipts.length, 1);
    assert.equal(String(w.receipts[0]!['Quantity']), '3');
    assert.equal(fusion.procurement.findPo(first.poHeaderId).Status, 'Closed for Receiving');
  });

  it('the late webhook of a swept state is answered, not published again: one write-back', async () => {
    shipbob.setWebhookSwitches({ drop: false });
    // ShipBob recovers the lost delivery late (a manual "Recover"): the same body under a new webhook-id.
    const from = sent().length;
    shipbob.emit('order.shipment.delivered', JSON.parse(droppedDelivery.body));
    const late = sent()[from]!;
    await waitFor(() => shipbob.dispatcher.attempts.some((a) => a.webhookId === late.id && a.status === 200), {
      what: 'the late webhook answered 200',
      timeoutMs: 30_000,
    });
    // Its record key is the swept state's: a duplicate (the answer comes after the ledger claim, so nothing is on its way).
    await sweeps(1);
    assert.equal(byDelivery(late.id).length, 0, 'the late webhook is not published');
    assert.equal(await mapperRead(late.id), false);
    assert.deepEqual(await fusionPoUpdates(first.poHeaderId), [
      `advance_shipment_notice:s${first.shipmentId}:l${first.poLineId}`,
      `close_for_receiving:po${first.poHeaderId}:l${first.poLineId}`,
      `receipt:s${first.shipmentId}:l${first.poLineId}`,
    ]);
    const requested = decoded('fulfilment.fusion-po-update.requested.v1').filter((c) => c.poHeaderId === first.poHeaderId);
    assert.equal(requested.length, 3, 'each write-back requested once');
    assert.equal(written(first.poHeaderId).receipts.length, 1);
    // And the sweep does not publish the delivered state again either.
    await sweeps(2);
    assert.equal(byDelivery(`sweep:shipment:${first.shipmentId}:delivered`).length, 1);
  });

  it('the cursor survives a restart: the next process reads from it, not from the look-back, and publishes nothing twice', async () => {
    await gateway.stop();
    const before = await cursor('shipbob-orders');
    const beforeCharges = await cursor('shipbob-charges');
    assert.ok(Date.now() - before.getTime() < LOOKBACK_MS / 2, 'the cursor moved past the first sweep');
    const sweptBefore = swept().length;
    const seq = shipbob.requests().at(-1)?.seq ?? 0;
    gateway = await env.startGateway({
      SHOPIFY_SWEEP_ENABLED: 'false',
      SHIPBOB_SWEEP_TICK_MS: '200',
      SHIPBOB_SWEEP_SETTLE_MS: '0',
      SHIPBOB_SWEEP_OVERLAP_MS: String(OVERLAP_MS),
      SHIPBOB_SWEEP_LOOKBACK_MS: String(LOOKBACK_MS),
    });
    await waitFor(async () => (await readiness(gateway.url)) === 200, { what: 'gateway ready again' });
    await sweeps(2);
    const reads = shipbob.requests().filter((r) => r.seq > seq && r.method === 'GET' && r.path === '/2026-01/order');
    const firstRead = new URLSearchParams(reads[0]!.query.replace(/^\?/, ''));
    assert.equal(firstRead.get('LastUpdateStartDate'), new Date(before.getTime() - OVERLAP_MS).toISOString(), 'read from the stored cursor minus the overlap');
    const charges = shipbob.requests().find((r) => r.seq > seq && r.path === '/2026-01/transactions:query');
    assert.equal((JSON.parse(charges!.body) as { from_date: string }).from_date, new Date(beforeCharges.getTime() - OVERLAP_MS).toISOString());
    assert.ok((await cursor('shipbob-orders')).getTime() > before.getTime(), 'the cursor moves on');
    assert.equal(swept().length, sweptBefore, 'nothing published twice after the restart');
  });

  it('a billing charge whose webhook was dropped is recovered through transactions:query, once', async () => {
    const po = await poWithOrder();
    shipbob.setWebhookSwitches({ drop: ['billing.charge.created'] });
    const from = sent().length;
    shipbob.runLifecycle(Number(po.shipmentId));
    const charge = sent()
      .slice(from)
      .find((h) => h.topic === 'billing.charge.created')!;
    assert.equal(charge.dropped, true);
    const txId = (JSON.parse(charge.body) as { transaction_id: string }).transaction_id;
    const [rec] = await waitFor(() => (byDelivery(`sweep:transaction:${txId}`).length ? byDelivery(`sweep:transaction:${txId}`) : undefined), {
      what: 'the swept charge',
      timeoutMs: 30_000,
    });
    assert.equal(rec!.value.topic, 'billing.charge.created');
    const reading = readShipbobWebhook(rec!.value.topic, rec!.value.body);
    assert.equal(reading.kind, 'charge');
    assert.deepEqual(
      reading.kind === 'charge' ? { id: reading.charge.transactionId, shipment: reading.charge.shipmentId, amount: Number(reading.charge.amount) } : undefined,
      {
        id: txId,
        shipment: po.shipmentId,
        amount: (JSON.parse(charge.body) as { amount: number }).amount,
      },
    );
    await waitFor(() => decoded('fulfilment.shipbob-charge.recorded.v1').some((c) => c.transactionId === txId), {
      what: 'the charge recorded against the PO',
      timeoutMs: 30_000,
    });
    await sweeps(3);
    assert.equal(byDelivery(`sweep:transaction:${txId}`).length, 1, 'published once');
    const recorded = decoded('fulfilment.shipbob-charge.recorded.v1').filter((c) => c.transactionId === txId);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0]!.poHeaderId, po.poHeaderId);
    assert.equal(recorded[0]!.shipmentId, po.shipmentId);
    await waitFor(() => written(po.poHeaderId).closures.length === 1, { timeoutMs: 30_000, what: 'the second PO closed for receiving' });
  });
});
