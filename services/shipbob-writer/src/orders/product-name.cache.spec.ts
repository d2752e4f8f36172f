import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TopicRecords } from '@mlc/contracts';
import { ShipbobClient } from '@mlc/partners-shipbob-client';
import { DEMO_SEED, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { newMeta } from '@mlc/platform-kafka';
import { ProductNameCache } from './product-name.cache';
import { ShipbobPacer } from './shipbob.pacer';
import { MISSING_PRODUCT_NAME, SyncShipbobOrderService } from './sync-shipbob-order.service';

type Command = TopicRecords['fulfilment.shipbob-order.requested.v1'];

const ctx = { exception: (e: { code: string }) => ({ topic: 'ops.exception.raised.v1', key: 'x', value: e }) as never };

let seq = 0;
/** A create for one undescribed line (no `name`): the writer must find the product's name in ShipBob. */
function create(sku: string): Command {
  seq += 1;
  return {
    meta: newMeta({ tenantId: 'names', source: 'test' }),
    action: 'create',
    referenceId: `po77-l${seq}-r0`,
    revision: 0,
    supersedesReferenceId: null,
    poHeaderId: '77',
    poNumber: 'PO-77',
    poLastUpdateDate: '2026-11-24T10:00:00+00:00',
    fulfillmentCenterId: null,
    shippingMethod: 'Standard',
    recipient: {
      name: 'Reno DC',
      address1: '1 Dock Road',
      address2: null,
      city: 'Reno',
      state: 'NV',
      postalCode: '89502',
      country: 'US',
      email: null,
      phone: null,
    },
    products: [{ poLineId: String(seq), lineNumber: String(seq), itemNumber: 'AS1', sku, productId: null, name: null, quantity: 1, uom: 'Each' }],
    mappingVersion: 1,
    reason: null,
    poLinesToFulfil: [String(seq)],
  };
}

describe('ProductNameCache: the writer asks ShipBob for an undescribed SKU’s name once, not per order', () => {
  const sandbox = new ShipbobSandbox({ seed: 43 });
  let now = 1_000_000;
  let service: SyncShipbobOrderService;
  const lookups = (sku: string) => sandbox.requests().filter((r) => r.method === 'GET' && r.path.endsWith('/product') && r.query.includes(sku)).length;
  const names = (sku: string) =>
    sandbox
      .requests()
      .filter((r) => r.method === 'POST' && r.path.endsWith('/order') && r.status === 201 && r.body.includes(sku))
      .map((r) => (JSON.parse(r.body) as { products: Array<{ name?: string }> }).products[0]!.name);

  before(async () => {
    const { pat, channel } = sandbox.seedData(DEMO_SEED);
    sandbox.seedData({ products: [{ sku: 'NC-1', name: 'Named once', on_hand_qty: 10 }] });
    const client = new ShipbobClient({ baseUrl: await sandbox.listen(), channelId: channel.id, auth: { kind: 'pat', token: pat }, timeoutMs: 2000 });
    service = new SyncShipbobOrderService({
      shipbob: async () => ({ client, channelId: String(channel.id) }),
      pacer: new ShipbobPacer({ windowMs: 60_000, paceBelow: 0 }),
      orderType: 'DTC',
      productNames: new ProductNameCache({ ttlMs: 60_000, now: () => now }),
    });
  });
  after(() => sandbox.close());

  it('orders handled side by side and after share one lookup; the name is asked again once the entry expired', async () => {
    const outs = await Promise.all(Array.from({ length: 8 }, () => service.handle(create('NC-1'), ctx)));
    outs.push(await service.handle(create('NC-1'), ctx));
    assert.deepEqual(
      outs.map(([o]) => (o!.value as { outcome?: string }).outcome),
      Array(9).fill('created'),
    );
    assert.deepEqual(names('NC-1'), Array(9).fill('Named once'));
    assert.equal(lookups('NC-1'), 1);
    now += 60_001;
    await service.handle(create('NC-1'), ctx);
    assert.equal(lookups('NC-1'), 2);
  });

  it('a SKU ShipBob does not know is not remembered: once the product exists, the next order finds it', async () => {
    const [missing] = await service.handle(create('NC-LATER'), ctx);
    assert.equal((missing!.value as { code?: string }).code, MISSING_PRODUCT_NAME);
    sandbox.seedData({ products: [{ sku: 'NC-LATER', name: 'Created since', on_hand_qty: 1 }] });
    const [created] = await service.handle(create('NC-LATER'), ctx);
    assert.equal((created!.value as { outcome?: string }).outcome, 'created');
    assert.deepEqual(names('NC-LATER'), ['Created since']);
    assert.equal(lookups('NC-LATER'), 2);
  });

  it('ttlMs 0 keeps nothing: every order asks', async () => {
    const cache = new ProductNameCache({ ttlMs: 0 });
    let calls = 0;
    const lookup = async () => (calls++, 'n');
    await Promise.all([cache.get('t', 'c', 's', lookup), cache.get('t', 'c', 's', lookup)]);
    assert.equal(calls, 2);
  });

  it('keeps at most maxEntries names, dropping the oldest', async () => {
    const cache = new ProductNameCache({ ttlMs: 60_000, maxEntries: 2 });
    let calls = 0;
    const lookup = async () => (calls++, 'n');
    for (const sku of ['a', 'b', 'c', 'a']) await cache.get('t', 'c', sku, lookup);
    assert.equal(calls, 4, '"a" was dropped when "c" came in');
    await cache.get('t', 'c', 'c', lookup);
    assert.equal(calls, 4);
  });
});
