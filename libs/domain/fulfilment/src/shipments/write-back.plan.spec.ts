import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readShipbobWebhook, type ShipmentFact } from './shipbob-webhook.parse';
import { mergeShipment, type ShipmentState } from './shipment-state';
import { planShipmentProblems, planWriteBack, type ActiveOrder } from './write-back.plan';

const ref = (line: string) => `po42-l${line}-r0`;
const orders: ActiveOrder[] = [
  { referenceId: ref('1'), shipbobOrderId: '100', lines: [{ poLineId: '1', lineNumber: '1', itemNumber: 'A', sku: 'SKU-A', quantity: 3, uom: 'Each' }] },
  { referenceId: ref('2'), shipbobOrderId: '101', lines: [{ poLineId: '2', lineNumber: '2', itemNumber: 'B', sku: 'SKU-B', quantity: 2, uom: 'Each' }] },
];
const shipment = (id: string, line: string, status: string, detail?: string) => ({
  id: Number(id),
  order_id: 100,
  reference_id: ref(line),
  status,
  status_details: detail ? [{ id: 1, name: detail, description: detail }] : [],
  last_update_at: `2026-01-0${id.slice(-1)}T10:00:00Z`,
  delivery_date: detail === 'Delivered' ? '2026-01-09T10:00:00Z' : null,
  tracking: status === 'Processing' ? null : { carrier: 'USPS', tracking_number: `T${id}`, tracking_url: 'u' },
  products: [{ reference_id: line === '1' ? 'SKU-A' : 'SKU-B', sku: line === '1' ? 'SKU-A' : 'SKU-B', inventory_items: [{ quantity: line === '1' ? 3 : 2 }] }],
});
const facts = (topic: string, body: unknown): ShipmentFact[] => {
  const r = readShipbobWebhook(topic, JSON.stringify(body));
  assert.equal(r.kind, 'shipments', JSON.stringify(r));
  return r.kind === 'shipments' ? r.facts : [];
};
const fold = (fs: ShipmentFact[]) => {
  const m = new Map<string, ShipmentState>();
  for (const f of fs) m.set(f.shipmentId, mergeShipment(m.get(f.shipmentId), f).state);
  return [...m.values()];
};
const plan = (shipments: ShipmentState[]) =>
  planWriteBack({ poHeaderId: '42', poNumber: 'PO-42', orders, shipments, rules: {}, writeToFlexfield: false })
    .map((c) => c.idempotencyKey)
    .sort();

describe('shipment write-back plan', () => {
  const shipped1 = facts('order.shipped', { id: 100, reference_id: ref('1'), shipments: [shipment('201', '1', 'Completed', 'Processing')] });
  const delivered1 = facts('order.shipment.delivered', shipment('201', '1', 'Completed', 'Delivered'));
  const shipped2 = facts('order.shipped', { id: 101, reference_id: ref('2'), shipments: [shipment('202', '2', 'Completed', 'Processing')] });
  const delivered2 = facts('order.shipment.delivered', shipment('202', '2', 'Completed', 'Delivered'));

  it('ASN on shipment, receipt on delivery, close when every line is delivered', () => {
    assert.deepEqual(plan(fold([...shipped1])), ['advance_shipment_notice:s201:l1']);
    assert.deepEqual(plan(fold([...shipped1, ...delivered1, ...shipped2])), [
      'advance_shipment_notice:s201:l1',
      'advance_shipment_notice:s202:l2',
      'receipt:s201:l1',
    ]);
    const all = plan(fold([...shipped1, ...delivered1, ...shipped2, ...delivered2]));
    assert.deepEqual(all, [
      'advance_shipment_notice:s201:l1',
      'advance_shipment_notice:s202:l2',
      'close_for_receiving:po42:l1.2',
      'receipt:s201:l1',
      'receipt:s202:l2',
    ]);
    // reordered and duplicated: the same set
    assert.deepEqual(plan(fold([...delivered2, ...delivered1, ...shipped1, ...shipped2, ...delivered1])), all);
  });

  it('closes for receiving only when every line the PO expects is delivered, not just the lines whose orders are known', () => {
    // Line 2's order request has not been read yet (or line 2 could not be mapped): line 1 alone is delivered.
    const onlyFirst = (linesToFulfil?: string[]) =>
      planWriteBack({
        poHeaderId: '42',
        poNumber: 'PO-42',
        orders: [orders[0]!],
        shipments: fold([...shipped1, ...delivered1]),
        rules: {},
        writeToFlexfield: false,
        ...(linesToFulfil ? { linesToFulfil } : {}),
      })
        .map((c) => c.idempotencyKey)
        .sort();
    assert.deepEqual(onlyFirst(['1', '2']), ['advance_shipment_notice:s201:l1', 'receipt:s201:l1'], 'no close while line 2 is outstanding');
    assert.deepEqual(onlyFirst(['1']), ['advance_shipment_notice:s201:l1', 'close_for_receiving:po42:l1', 'receipt:s201:l1'], 'a PO of one line closes');
    assert.deepEqual(
      onlyFirst(),
      ['advance_shipment_notice:s201:l1', 'close_for_receiving:po42:l1', 'receipt:s201:l1'],
      'requests from before the field: the known lines',
    );
    const both = planWriteBack({
      poHeaderId: '42',
      poNumber: 'PO-42',
      orders,
      shipments: fold([...shipped1, ...delivered1, ...shipped2, ...delivered2]),
      rules: {},
      writeToFlexfield: false,
      linesToFulfil: ['1', '2'],
    });
    assert.ok(both.some((c) => c.idempotencyKey === 'close_for_receiving:po42:l1.2'));
  });

  it('a late shipped after delivered changes nothing; a stale exception after shipping raises nothing', () => {
    const [d] = fold(delivered1);
    const late = mergeShipment(d, shipped1[0]!);
    assert.equal(late.changed, false);
    assert.equal(late.state.milestone, 'delivered');
    const exc = facts('order.shipment.exception', shipment('201', '1', 'Exception', 'OutOfStock'));
    assert.equal(mergeShipment(d, exc[0]!).changed, false);
  });

  it('exceptions and holds become fulfillment exceptions with the reason; rules can switch them off', () => {
    const fs = [
      ...facts('order.shipment.exception', shipment('203', '1', 'Exception', 'OutOfStock')),
      ...facts('order.shipment.on_hold', shipment('203', '1', 'OnHold', 'InvalidAddress')),
    ];
    const cmds = planWriteBack({ poHeaderId: '42', poNumber: 'PO-42', orders, shipments: fold(fs), rules: {}, writeToFlexfield: true });
    assert.deepEqual(
      cmds.map((c) => c.idempotencyKey),
      ['fulfillment_exception:s203:exception:l1', 'fulfillment_exception:s203:on_hold:l1'],
    );
    assert.match(cmds[0]!.exceptionReason!, /OutOfStock/);
    assert.equal(cmds[0]!.writeToFlexfield, true);
    const off = planWriteBack({
      poHeaderId: '42',
      poNumber: 'PO-42',
      orders,
      shipments: fold(fs),
      rules: { 'order.shipment.on_hold': { action: 'ignore' } },
      writeToFlexfield: false,
    });
    assert.equal(off.length, 1);
  });

  it('a delivered line counts as received only once Fusion confirmed its receipt: no close before both receipts are confirmed', () => {
    const all = fold([...shipped1, ...delivered1, ...shipped2, ...delivered2]);
    const keys = (confirmed: string[]) =>
      planWriteBack({
        poHeaderId: '42',
        poNumber: 'PO-42',
        orders,
        shipments: all,
        rules: {},
        writeToFlexfield: false,
        linesToFulfil: ['1', '2'],
        confirmedReceipts: new Set(confirmed),
      }).map((c) => c.idempotencyKey);
    assert.ok(!keys([]).some((k) => k.startsWith('close_for_receiving')), 'nothing confirmed: no close');
    assert.ok(!keys(['receipt:s201:l1']).some((k) => k.startsWith('close_for_receiving')), 'line 2 not confirmed: no close');
    assert.ok(keys(['receipt:s201:l1', 'receipt:s202:l2']).includes('close_for_receiving:po42:l1.2'));
    assert.ok(keys([]).includes('receipt:s202:l2'), 'the receipts themselves are still requested');
  });

  it('shipment problems: one per shipment and kind, classified, naming PO, line, shipment and ShipBob’s reason; the PO note only with the tenant switch', () => {
    const fs = [
      ...facts('order.shipment.exception', shipment('203', '1', 'Exception', 'OutOfStock')),
      ...facts('order.shipment.on_hold', shipment('203', '1', 'OnHold', 'InvalidAddress')),
      ...facts('order.shipment.on_hold', shipment('203', '1', 'OnHold', 'InvalidAddress')),
      ...facts('order.shipment.cancelled', shipment('203', '1', 'Cancelled')),
    ];
    const problems = planShipmentProblems({ poHeaderId: '42', poNumber: 'PO-42', orders, shipments: fold(fs), rules: {} });
    assert.deepEqual(
      problems.map((p) => [p.businessId, p.code, p.category, p.entityType]),
      [
        ['203:exception', 'SHIPBOB.SHIPMENT_EXCEPTION', 'fulfilment', 'shipbob-shipment'],
        ['203:on_hold', 'SHIPBOB.SHIPMENT_ON_HOLD', 'fulfilment', 'shipbob-shipment'],
        ['203:cancelled', 'SHIPBOB.SHIPMENT_CANCELLED', 'fulfilment', 'shipbob-shipment'],
      ],
    );
    assert.match(problems[1]!.message, /^ShipBob shipment 203 \(order 100, reference po42-l1-r0\) for PO PO-42 line 1 is on hold: InvalidAddress$/);
    assert.equal(
      planShipmentProblems({ poHeaderId: '42', poNumber: 'PO-42', orders, shipments: fold(fs), rules: { 'order.shipment.cancelled': { action: 'ignore' } } })
        .length,
      2,
      'a rule that ignores a kind raises nothing for it',
    );
    const noted = planWriteBack({
      poHeaderId: '42',
      poNumber: 'PO-42',
      orders,
      shipments: fold(fs),
      rules: {},
      writeToFlexfield: false,
      problemsAsPoNote: true,
    });
    assert.deepEqual(
      noted.map((c) => c.poNote),
      ['ShipBob shipment 203 has an exception: OutOfStock', 'ShipBob shipment 203 is on hold: InvalidAddress', 'ShipBob shipment 203 was cancelled: Cancelled'],
    );
    assert.ok(
      planWriteBack({ poHeaderId: '42', poNumber: 'PO-42', orders, shipments: fold(fs), rules: {}, writeToFlexfield: false }).every((c) => c.poNote === null),
    );
  });

  it('reads charges with exact decimal amounts and refuses bodies it cannot read', () => {
    const r = readShipbobWebhook(
      'billing.charge.created',
      '{"transaction_id":"tx_1","amount":4.85,"currency_code":"USD","reference_id":"201","reference_type":"Shipment","transaction_fee":"Shipping"}',
    );
    assert.deepEqual(r.kind === 'charge' && [r.charge.amount, r.charge.shipmentId], ['4.85', '201']);
    assert.equal(readShipbobWebhook('order.shipped', 'not json').kind, 'unreadable');
    assert.equal(readShipbobWebhook('order.shipment.delivered', '{"status":"Completed"}').kind, 'unreadable');
    assert.equal(readShipbobWebhook('return.created', '{}').kind, 'ignored');
  });
});
