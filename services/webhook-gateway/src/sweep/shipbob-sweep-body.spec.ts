import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readShipbobWebhook } from '@mlc/domain-fulfilment';
import type { ShipbobOrder, ShipbobShipment, ShipbobTransaction } from '@mlc/partners-shipbob-client';
import { recordKeyOfShipbobWebhook, shipbobMilestone, shipmentRecordKey, transactionRecordKey } from '../webhooks/shipbob-record-key';
import { chargeWebhookBody, shipmentWebhookBody, SWEEP_TOPIC } from './shipbob-sweep-body';

const shipment = (status: ShipbobShipment['status'], detail: string, extra: Partial<ShipbobShipment> = {}): ShipbobShipment => ({
  id: 200_001,
  orderId: 100_001,
  referenceId: 'po300000001-l300000002-r0',
  status,
  statusDetails: [detail],
  details: [{ name: detail, description: `${detail} (description)` }],
  locationId: 8,
  tracking: {
    carrier: 'USPS',
    carrierService: 'Ground Advantage',
    trackingNumber: '9400100000000001',
    trackingUrl: 'https://t/9400100000000001',
    shippedAt: '2026-12-07T01:00:00.000Z',
  },
  fulfilledAt: '2026-12-07T01:00:00.000Z',
  deliveredAt: status === 'Completed' && detail === 'Delivered' ? '2026-12-07T02:00:00.000Z' : undefined,
  updatedAt: '2026-12-07T02:00:00.000Z',
  trackingUpdatedAt: '2026-12-07T02:00:00.000Z',
  products: [{ referenceId: 'SKU-A', sku: 'SKU-A', quantity: 3 }],
  ...extra,
});
const order = (s: ShipbobShipment): ShipbobOrder => ({
  id: s.orderId,
  referenceId: s.referenceId,
  orderNumber: s.referenceId,
  status: 'Fulfilled',
  type: 'B2B',
  channelId: 1000,
  createdAt: '2026-12-07T00:00:00.000Z',
  lines: [{ id: 1, sku: 'SKU-A', quantity: 3, externalLineId: undefined }],
  shipments: [s],
});

describe('ShipBob sweep bodies and record keys', () => {
  it('maps ShipBob shipment statuses to the states the write-back cares about', () => {
    assert.equal(shipbobMilestone('Completed', 'Delivered'), 'delivered');
    assert.equal(shipbobMilestone('Completed', 'InTransit'), 'shipped');
    assert.equal(shipbobMilestone('LabeledCreated', 'Labeled'), 'shipped');
    assert.equal(shipbobMilestone('Exception', 'OutOfStock'), 'exception');
    assert.equal(shipbobMilestone('OnHold', 'InvalidAddress'), 'on_hold');
    assert.equal(shipbobMilestone('Cancelled', undefined), 'cancelled');
    assert.equal(shipbobMilestone('Processing', 'Picked'), undefined);
    assert.equal(shipbobMilestone('ImportReview', undefined), undefined);
  });

  for (const [status, detail, milestone] of [
    ['Completed', 'InTransit', 'shipped'],
    ['Completed', 'Delivered', 'delivered'],
    ['Exception', 'OutOfStock', 'exception'],
    ['OnHold', 'InvalidAddress', 'on_hold'],
    ['Cancelled', 'Cancelled', 'cancelled'],
  ] as const) {
    it(`a swept ${milestone} shipment: the webhook route computes the same record key, mapper reads the same fact`, () => {
      const s = shipment(status, detail);
      const topic = SWEEP_TOPIC[milestone];
      const body = shipmentWebhookBody(milestone, order(s), s);
      assert.equal(
        recordKeyOfShipbobWebhook(topic, body),
        shipmentRecordKey(String(s.id), milestone, milestone === 'shipped' ? s.tracking!.trackingNumber : undefined),
      );
      const reading = readShipbobWebhook(topic, body);
      assert.equal(reading.kind, 'shipments');
      const [fact] = reading.kind === 'shipments' ? reading.facts : [];
      assert.equal(fact?.milestone, milestone);
      assert.equal(fact?.shipmentId, String(s.id));
      assert.equal(fact?.referenceId, s.referenceId);
      assert.equal(fact?.shipbobOrderId, String(s.orderId));
      assert.equal(fact?.trackingNumber, s.tracking!.trackingNumber);
      assert.deepEqual(fact?.products, [{ sku: 'SKU-A', quantity: 3 }]);
      if (milestone === 'exception' || milestone === 'on_hold') assert.equal(fact?.reason, `${detail} (description)`);
      if (milestone === 'delivered') assert.equal(fact?.eventAt, s.deliveredAt);
    });
  }

  it('a new label is a new shipped state; a delivered state does not depend on tracking', () => {
    assert.notEqual(shipmentRecordKey('1', 'shipped', 'A'), shipmentRecordKey('1', 'shipped', 'B'));
    assert.equal(shipmentRecordKey('1', 'delivered', 'A'), shipmentRecordKey('1', 'delivered', undefined));
  });

  it('a swept charge reads as the billing webhook does, keyed by its transaction id', () => {
    const t: ShipbobTransaction = {
      transactionId: 'tx_00000042',
      amountMinor: 450,
      currencyCode: 'USD',
      chargeDate: '2026-12-07T01:00:00.000Z',
      invoiceId: undefined,
      invoiceType: 'Shipping',
      invoicedStatus: undefined,
      invoiced: false,
      referenceId: '200001',
      referenceType: 'Shipment',
      transactionType: 'Charge',
      transactionFee: 'Shipping',
      fulfillmentCenter: { id: undefined, name: 'Cicero (IL)' },
    };
    const body = chargeWebhookBody(t);
    assert.equal(recordKeyOfShipbobWebhook('billing.charge.created', body), transactionRecordKey('tx_00000042'));
    const reading = readShipbobWebhook('billing.charge.created', body);
    assert.equal(reading.kind, 'charge');
    assert.deepEqual(reading.kind === 'charge' ? reading.charge : undefined, {
      transactionId: 'tx_00000042',
      amount: '4.5',
      currency: 'USD',
      chargeType: 'Shipping',
      chargedAt: '2026-12-07T01:00:00.000Z',
      referenceType: 'Shipment',
      shipmentId: '200001',
    });
    const parsed = JSON.parse(body) as Record<string, unknown>;
    assert.equal(parsed['fulfillment_center'], 'Cicero (IL)');
    assert.equal(parsed['invoiced_status'], false);
  });

  it('webhooks without a shipment state or charge have no record key', () => {
    assert.equal(recordKeyOfShipbobWebhook('return.created', '{"id":1}'), null);
    assert.equal(recordKeyOfShipbobWebhook('order.shipped', '{"id":1,"shipments":[{"id":1},{"id":2}]}'), null);
    assert.equal(recordKeyOfShipbobWebhook('order.shipment.delivered', '{"status":"Completed"}'), null);
    assert.equal(recordKeyOfShipbobWebhook('order.shipment.delivered', '[1]'), null);
  });
});
