import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TopicRecords } from '@mlc/contracts';
import { newMeta } from '@mlc/platform-kafka';
import { describeEvent, documentAmount, exceptionEntity, successOf, traceIdOf } from './event-description';
import { exceptionId } from './projection.writer';

const meta = () => newMeta({ tenantId: 'acme', source: 'test' });

describe('audit event descriptions', () => {
  it('links a receivables result to its Shopify order, invoice and customer, and names the success', () => {
    const v: TopicRecords['accounting.fusion-receivables.synced.v1'] = {
      meta: meta(),
      kind: 'invoice_create',
      outcome: 'created',
      idempotencyKey: 'shop:inv:1',
      shopDomain: 'acme.myshopify.com',
      shopifyOrderId: '9007199254740993',
      shopifyOrderName: '#1001',
      shopifyCustomerId: '77',
      shopifyRefundId: null,
      fusionCustomerAccountId: '300',
      fusionCustomerAccountNumber: 'C-77',
      fusionTransactionNumber: 'INV-5',
      fusionTransactionId: '400',
      amount: '12.50',
      currency: 'USD',
    };
    const d = describeEvent('accounting.fusion-receivables.synced.v1', v);
    assert.equal(d.result, 'success');
    assert.deepEqual(d.links.map((l) => l.relation).sort(), ['customer', 'invoice']);
    assert.ok(d.refs.includes('shopify-order:9007199254740993') && d.refs.includes('fusion-invoice:INV-5'));
    assert.equal(d.attrs['amount'], '12.50');
    assert.deepEqual(successOf('accounting.fusion-receivables.synced.v1', v), { entityType: 'fusion-receivables', businessId: 'shop:inv:1' });
  });

  it('names an exception by the conventions table, falling back to the source event id', () => {
    const base = {
      meta: meta(),
      service: 'mapper',
      code: 'X',
      category: 'unexpected',
      message: 'm',
      attempts: 1,
      sourceTopic: 'shipbob.webhook.received.v1',
      sourcePartition: 0,
      sourceOffset: '3',
      payload: Buffer.alloc(0),
    };
    assert.deepEqual(exceptionEntity({ ...base, entityType: 'shipbob-webhook', businessId: 'wh-1' }), { entityType: 'shipbob-webhook', businessId: 'wh-1' });
    assert.deepEqual(exceptionEntity({ ...base, sourceEventId: 'E1' }), { entityType: 'event', businessId: 'E1' });
    assert.equal(exceptionId('acme', 'shipbob-order', 'r1'), exceptionId('acme', 'shipbob-order', 'r1'));
    assert.notEqual(exceptionId('acme', 'shipbob-order', 'r1'), exceptionId('globex', 'shipbob-order', 'r1'));
  });

  it('reads trace ids and document amounts defensively', () => {
    assert.equal(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(traceIdOf('garbage'), null);
    assert.equal(documentAmount('{"totalAmount":"10.00"}'), '10.00');
    assert.equal(documentAmount('not json'), undefined);
  });
});
