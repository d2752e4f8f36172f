import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readShipbobWebhook } from './shipbob-webhook.parse';

/** The repository root seen from dist/libs/domain/fulfilment/src/shipments (pure domain: no test library). */
const REPO_ROOT = resolve(__dirname, '../../../../../..');

/** The only webhook body ShipBob publishes (test/fixtures/shipbob/SOURCES.md), byte for byte. */
describe('readShipbobWebhook on the published tracking_received body', () => {
  it('reads it without error; it names the order, not a shipment, so it is ignored with the reason', () => {
    const body = readFileSync(join(REPO_ROOT, 'test/fixtures/shipbob/webhook-order.shipment.tracking_received.logistics.json'), 'utf8');
    const reading = readShipbobWebhook('order.shipment.tracking_received', body);
    assert.deepEqual(reading, { kind: 'ignored', why: 'tracking_received carries no shipment id' });
  });
});
