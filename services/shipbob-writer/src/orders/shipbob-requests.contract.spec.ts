import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TopicRecords } from '@mlc/contracts';
import { planPurchaseOrder, reconcileOrders, type PoMappingConfig, type PurchaseOrderInput } from '@mlc/domain-fulfilment';
import { ShipbobClient } from '@mlc/partners-shipbob-client';
import { DEMO_SEED, ShipbobSandbox, type ShipbobSandboxOptions } from '@mlc/partners-shipbob-simulator';
import { newMeta } from '@mlc/platform-kafka';
import { ShipbobPacer } from './shipbob.pacer';
import { MISSING_PRODUCT_NAME, SyncShipbobOrderService } from './sync-shipbob-order.service';

type Command = TopicRecords['fulfilment.shipbob-order.requested.v1'];

/**
 * Every ShipBob request the Fusion -> ShipBob flow builds, from the real builders (the domain's PO plan, the writer's
 * order input, the client's wire body), sent to the sandbox under its strict reading and under the lenient one: all
 * must be accepted. A PO in Fusion's shapes: a described line, an undescribed line whose SKU ShipBob knows, a line
 * mapped by ShipBob product id, and a service item whose SKU ShipBob does not know.
 */
const PO: PurchaseOrderInput = {
  poHeaderId: '300100009',
  orderNumber: 'US164009',
  status: 'Open',
  lastUpdateDate: '2026-11-24T10:00:00+00:00',
  supplier: 'Acme Supply',
  supplierSite: 'ACME-MAIN',
  shipToLocationCode: 'Cicero',
  shipToAddress: '5900 W Ogden Ave, Cicero, IL 60804, US',
  lines: [
    { poLineId: '1', lineNumber: '1', itemNumber: 'AS54888', description: 'Pallet jack, manual', quantity: '5', uom: 'Each', status: 'Open' },
    { poLineId: '2', lineNumber: '2', itemNumber: 'AS54999', description: null, quantity: '2', uom: 'Each', status: 'Open' },
    { poLineId: '3', lineNumber: '3', itemNumber: 'CM-100', description: 'Carton', quantity: '1', uom: 'Each', status: 'Open' },
    { poLineId: '4', lineNumber: '4', itemNumber: 'SVC-INSTALL', description: 'Installation kit', quantity: '1', uom: 'Each', status: 'Open' },
  ],
};

function mapping(productId: number): PoMappingConfig {
  return {
    configVersion: 1,
    orderGrouping: 'per-po-line',
    itemProduct: { AS54888: { shipbobSku: 'ML-1001' }, AS54999: { shipbobSku: 'ML-1002' }, 'CM-100': { shipbobProductId: productId }, 'SVC-INSTALL': { shipbobSku: 'SVC-INSTALL-KIT' } },
    shipToFc: { Cicero: { fulfillmentCenterId: 10 } },
    supplierFc: {},
  };
}

/** The commands the mapper would publish for the PO (the same fields it copies from the plan's actions). */
function commands(productId: number): Command[] {
  const plan = planPurchaseOrder(PO, mapping(productId));
  assert.deepEqual(plan.issues, []);
  return reconcileOrders(PO.poHeaderId, plan, []).actions.map((a) => {
    assert.equal(a.action, 'create');
    if (a.action !== 'create') throw new Error('unexpected');
    return {
      meta: newMeta({ tenantId: 'contract', source: 'test' }),
      action: 'create',
      referenceId: a.referenceId,
      revision: a.revision,
      supersedesReferenceId: a.supersedesReferenceId,
      poHeaderId: PO.poHeaderId,
      poNumber: PO.orderNumber,
      poLastUpdateDate: PO.lastUpdateDate,
      fulfillmentCenterId: a.order.fulfillmentCenterId,
      shippingMethod: 'Standard',
      recipient: a.order.recipient,
      products: a.order.products,
      mappingVersion: 1,
      reason: a.reason,
      poLinesToFulfil: plan.linesToFulfil,
    };
  });
}

const ctx = {
  exception: (e: { code: string; message: string }) => ({ topic: 'ops.exception.raised.v1', key: 'x', value: e }) as never,
};

for (const [reading, options] of [
  ['strict (the defaults)', {}],
  ['lenient (unknownFields=ignore, productName=to-create)', { unknownFields: 'ignore', productName: 'to-create' }],
] as Array<[string, ShipbobSandboxOptions]>) {
  describe(`the flow's ShipBob requests are accepted by the ${reading} sandbox`, () => {
    const sandbox = new ShipbobSandbox({ seed: 41, ...options });
    let service: SyncShipbobOrderService;
    let client: ShipbobClient;
    let productId = 0;

    before(async () => {
      const { pat, channel } = sandbox.seedData(DEMO_SEED);
      productId = sandbox.seedData({ products: [{ sku: 'ML-CARTON', name: 'Carton', on_hand_qty: 10 }] }).products[0]!.id;
      const url = await sandbox.listen();
      client = new ShipbobClient({ baseUrl: url, channelId: channel.id, auth: { kind: 'pat', token: pat }, timeoutMs: 2000 });
      service = new SyncShipbobOrderService({
        shipbob: async () => ({ client, channelId: String(channel.id) }),
        pacer: new ShipbobPacer({ windowMs: 60_000, paceBelow: 0 }),
        orderType: 'DTC',
      });
    });
    after(() => sandbox.close());

    it('creates one order per PO line: SKU items named by the line description or ShipBob\'s product, the id-mapped item by id, the unknown SKU created', async () => {
      for (const cmd of commands(productId)) {
        const [out] = await service.handle(cmd, ctx);
        assert.equal((out!.value as { outcome?: string }).outcome, 'created', JSON.stringify(out!.value));
      }
      const refused = sandbox.requests().filter((r) => r.path.startsWith('/2026-01/') && r.status >= 400);
      assert.deepEqual(refused, [], 'no request was refused');
      const byLine = new Map(sandbox.orders.map((o) => [o.products[0]!.sku, o]));
      assert.deepEqual([...byLine.keys()].sort(), ['ML-1001', 'ML-1002', 'ML-CARTON', 'SVC-INSTALL-KIT']);
      assert.equal(sandbox.products.find((p) => p.variants.some((v) => v.sku === 'SVC-INSTALL-KIT'))?.name, 'Installation kit');
      const bodies = sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/2026-01/order').map((r) => JSON.parse(r.body) as { products: Array<Record<string, unknown>> });
      assert.deepEqual(
        bodies.map((b) => b.products[0]),
        [
          { reference_id: 'ML-1001', name: 'Pallet jack, manual', quantity: 5 },
          { reference_id: 'ML-1002', name: sandbox.products.find((p) => p.variants[0]!.sku === 'ML-1002')!.variants[0]!.name, quantity: 2 },
          { id: productId, quantity: 1 },
          { reference_id: 'SVC-INSTALL-KIT', name: 'Installation kit', quantity: 1 },
        ],
      );
    });

    it('replays as already existing, cancels, and queries charges and products with accepted requests', async () => {
      const [first] = commands(productId);
      const [again] = await service.handle(first!, ctx);
      assert.equal((again!.value as { outcome?: string }).outcome, 'already_existed');
      const [cancelled] = await service.handle({ ...first!, action: 'cancel', recipient: null }, ctx);
      assert.equal((cancelled!.value as { outcome?: string }).outcome, 'cancelled');
      const order = sandbox.orders.find((o) => o.reference_id !== first!.referenceId)!;
      sandbox.runLifecycle(order.shipments[0]!.id);
      const page = await client.queryTransactions({ referenceTypes: ['Shipment'], referenceIds: [String(order.shipments[0]!.id)], transactionTypes: ['Charge'], sortOrder: 'Ascending', pageSize: 50 });
      assert.equal(page.items.length, 1);
      assert.equal((await client.listProducts({ sku: 'ML-1001', pageSize: 10 })).items.length, 1);
      assert.equal((await client.listLocations({ receivingEnabled: true })).length > 0, true);
      assert.equal((await client.listShipments(order.id))?.length, 1);
      const sub = await client.createWebhookSubscription({ topics: ['order.shipped', 'billing.charge.created'], url: 'https://example.com/hooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'contract' });
      assert.equal((await client.listWebhookSubscriptions()).items.some((s) => s.id === sub.id), true);
      await client.deleteWebhookSubscription(sub.id);
      // The replay's create meets ShipBob's duplicate 422 (read back as already_existed); nothing else is refused.
      const refused = sandbox.requests().filter((r) => r.path.startsWith('/2026-01/') && r.status >= 400);
      assert.deepEqual(refused.map((r) => [r.method, r.path, r.status]), [['POST', '/2026-01/order', 422]]);
      assert.ok(refused[0]!.body.includes(first!.referenceId));
    });

    it('an undescribed line whose SKU ShipBob does not know becomes MAPPING.MISSING_PRODUCT_NAME before any order is sent', async () => {
      const [cmd] = commands(productId);
      const posts = sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/2026-01/order').length;
      const out = await service.handle({ ...cmd!, referenceId: `${cmd!.referenceId}-x`, products: [{ ...cmd!.products[0]!, sku: 'NEVER-SEEN', name: null }] }, ctx);
      assert.equal((out[0]!.value as { code?: string }).code, MISSING_PRODUCT_NAME);
      assert.equal(sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/2026-01/order').length, posts);
    });
  });
}
