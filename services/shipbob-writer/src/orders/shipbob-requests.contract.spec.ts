import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TopicRecords } from '@mlc/contracts';
import { ShipbobClient } from '@mlc/partners-shipbob-client';
import { DEMO_SEED, ShipbobSandbox, type ShipbobSandboxOptions } from '@mlc/partners-shipbob-simulator';
import { newMeta } from '@mlc/platform-kafka';
import { ShipbobPacer } from './shipbob.pacer';
import { MISSING_PRODUCT_NAME, SyncShipbobOrderService } from './sync-shipbob-order.service';

type Command = TopicRecords['fulfilment.shipbob-order.requested.v1'];

/**
 * Every ShipBob request the Fusion -> ShipBob flow builds, from the real builders (the writer's order input and the
 * client's wire body, fed the commands the mapper publishes from the domain's PO plan: one order per PO line with
 * the line's description as `name`, see po-orders.spec.ts), sent to the sandbox under its strict reading and under
 * the lenient one: all must be accepted. The whole chain mapper -> writer -> strict sandbox also runs in
 * services/mapper/src/purchase-orders/purchase-orders.integration.spec.ts. Lines: a described one, an undescribed
 * one whose SKU ShipBob knows, one mapped by ShipBob product id, and a service item whose SKU ShipBob does not know.
 */
const PO = { poHeaderId: '300100009', orderNumber: 'US164009', lastUpdateDate: '2026-11-24T10:00:00+00:00' };
const LINES: Array<{ poLineId: string; itemNumber: string; sku: string | null; byId?: boolean; name: string | null; quantity: number }> = [
  { poLineId: '1', itemNumber: 'AS54888', sku: 'ML-1001', name: 'Pallet jack, manual', quantity: 5 },
  { poLineId: '2', itemNumber: 'AS54999', sku: 'ML-1002', name: null, quantity: 2 },
  { poLineId: '3', itemNumber: 'CM-100', sku: null, byId: true, name: 'Carton', quantity: 1 },
  { poLineId: '4', itemNumber: 'SVC-INSTALL', sku: 'SVC-INSTALL-KIT', name: 'Installation kit', quantity: 1 },
];

/** The commands the mapper publishes for the PO (fields as map-purchase-order.service.ts fills them). */
function commands(productId: number): Command[] {
  return LINES.map((l) => ({
    meta: newMeta({ tenantId: 'contract', source: 'test' }),
    action: 'create',
    referenceId: `po${PO.poHeaderId}-l${l.poLineId}-r0`,
    revision: 0,
    supersedesReferenceId: null,
    poHeaderId: PO.poHeaderId,
    poNumber: PO.orderNumber,
    poLastUpdateDate: PO.lastUpdateDate,
    fulfillmentCenterId: 10,
    shippingMethod: 'Standard',
    recipient: {
      name: 'Cicero',
      address1: '5900 W Ogden Ave',
      address2: null,
      city: 'Cicero',
      state: 'IL',
      postalCode: '60804',
      country: 'US',
      email: null,
      phone: null,
    },
    products: [
      {
        poLineId: l.poLineId,
        lineNumber: l.poLineId,
        itemNumber: l.itemNumber,
        sku: l.sku,
        productId: l.byId ? productId : null,
        name: l.name,
        quantity: l.quantity,
        uom: 'Each',
      },
    ],
    mappingVersion: 1,
    reason: null,
    poLinesToFulfil: LINES.map((x) => x.poLineId),
  }));
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

    it("creates one order per PO line: SKU items named by the line description or ShipBob's product, the id-mapped item by id, the unknown SKU created", async () => {
      for (const cmd of commands(productId)) {
        const [out] = await service.handle(cmd, ctx);
        assert.equal((out!.value as { outcome?: string }).outcome, 'created', JSON.stringify(out!.value));
      }
      const refused = sandbox.requests().filter((r) => r.path.startsWith('/2026-01/') && r.status >= 400);
      assert.deepEqual(refused, [], 'no request was refused');
      const byLine = new Map(sandbox.orders.map((o) => [o.products[0]!.sku, o]));
      assert.deepEqual([...byLine.keys()].sort(), ['ML-1001', 'ML-1002', 'ML-CARTON', 'SVC-INSTALL-KIT']);
      assert.equal(sandbox.products.find((p) => p.variants.some((v) => v.sku === 'SVC-INSTALL-KIT'))?.name, 'Installation kit');
      const bodies = sandbox
        .requests()
        .filter((r) => r.method === 'POST' && r.path === '/2026-01/order')
        .map((r) => JSON.parse(r.body) as { products: Array<Record<string, unknown>> });
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
      const page = await client.queryTransactions({
        referenceTypes: ['Shipment'],
        referenceIds: [String(order.shipments[0]!.id)],
        transactionTypes: ['Charge'],
        sortOrder: 'Ascending',
        pageSize: 50,
      });
      assert.equal(page.items.length, 1);
      assert.equal((await client.listProducts({ sku: 'ML-1001', pageSize: 10 })).items.length, 1);
      assert.equal((await client.listLocations({ receivingEnabled: true })).length > 0, true);
      assert.equal((await client.listShipments(order.id))?.length, 1);
      const sub = await client.createWebhookSubscription({
        topics: ['order.shipped', 'billing.charge.created'],
        url: 'https://example.com/hooks',
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        description: 'contract',
      });
      assert.equal(
        (await client.listWebhookSubscriptions()).items.some((s) => s.id === sub.id),
        true,
      );
      await client.deleteWebhookSubscription(sub.id);
      // The replay's create meets ShipBob's duplicate 422 (read back as already_existed); nothing else is refused.
      const refused = sandbox.requests().filter((r) => r.path.startsWith('/2026-01/') && r.status >= 400);
      assert.deepEqual(
        refused.map((r) => [r.method, r.path, r.status]),
        [['POST', '/2026-01/order', 422]],
      );
      assert.ok(refused[0]!.body.includes(first!.referenceId));
    });

    it('an undescribed line whose SKU ShipBob does not know becomes MAPPING.MISSING_PRODUCT_NAME before any order is sent', async () => {
      const [cmd] = commands(productId);
      const posts = sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/2026-01/order').length;
      const out = await service.handle(
        { ...cmd!, referenceId: `${cmd!.referenceId}-x`, products: [{ ...cmd!.products[0]!, sku: 'NEVER-SEEN', name: null }] },
        ctx,
      );
      assert.equal((out[0]!.value as { code?: string }).code, MISSING_PRODUCT_NAME);
      assert.equal(sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/2026-01/order').length, posts);
    });
  });
}
