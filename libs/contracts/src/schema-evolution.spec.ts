import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as avro from 'avsc';
import { AvroCodec, DecodeError } from './avro.codec';
import { SCHEMA_CATALOGUE } from './generated/catalogue';
import { crc64Avro } from './crc64-avro';

const byName = new Map<string, (typeof SCHEMA_CATALOGUE)[number][]>();
for (const v of SCHEMA_CATALOGUE) byName.set(v.fullName, [...(byName.get(v.fullName) ?? []), v]);
const typeOf = (schema: unknown) => avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false });

describe('schema evolution (every pair of versions of every record)', () => {
  for (const [name, versions] of byName) {
    for (const older of versions) {
      for (const newer of versions.filter((v) => v.version > older.version)) {
        it(`${name}: v${newer.version} reads v${older.version} data (backward) and v${older.version} reads v${newer.version} data (forward)`, () => {
          const oldT = typeOf(older.schema);
          const newT = typeOf(newer.schema);
          for (let i = 0; i < 20; i++) {
            const oldVal = oldT.random();
            const back = newT.fromBuffer(oldT.toBuffer(oldVal), newT.createResolver(oldT));
            assert.ok(newT.isValid(back), 'backward read produced an invalid value');
            const newVal = newT.random();
            const fwd = oldT.fromBuffer(newT.toBuffer(newVal), oldT.createResolver(newT));
            assert.ok(oldT.isValid(fwd), 'forward read produced an invalid value');
          }
        });
      }
    }
  }
});

describe('AvroCodec', () => {
  const codec = new AvroCodec();

  it('computes CRC-64-AVRO as the specification does', () => {
    assert.equal(crc64Avro(Buffer.from('"null"')), 7195948357588979594n);
  });

  it('reads a record written with schema v1 into the v2 reader, new fields defaulted', () => {
    const v1 = {
      meta: { eventId: 'e1', tenantId: 't', correlationId: 'c', causationId: null, source: 'test', occurredAt: 1, traceparent: null },
      poHeaderId: '300100',
      orderNumber: 'PO-1',
      status: 'OPEN',
      lastUpdateDate: '2026-11-24T10:00:00+00:00',
      supplier: null,
      supplierSite: null,
      lines: [],
      raw: '{}',
    };
    const buf = codec.encode('mlc.erp.PurchaseOrderChanged', v1, 1);
    const { value, writerVersion } = codec.decode<Record<string, unknown>>(buf, 'mlc.erp.PurchaseOrderChanged');
    assert.equal(writerVersion, 1);
    assert.equal(value['orderNumber'], 'PO-1');
    assert.equal(value['currencyCode'], null);
  });

  it('refuses garbage, unknown fingerprints and the wrong record with a precise reason', () => {
    assert.throws(
      () => codec.decode(Buffer.from('not avro at all'), 'mlc.erp.PurchaseOrderChanged'),
      (e: unknown) => e instanceof DecodeError && e.reason === 'NOT_SINGLE_OBJECT',
    );
    const unknown = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.alloc(8, 7), Buffer.from([0])]);
    assert.throws(
      () => codec.decode(unknown, 'mlc.erp.PurchaseOrderChanged'),
      (e: unknown) => e instanceof DecodeError && e.reason === 'UNKNOWN_FINGERPRINT',
    );
    const hook = codec.encode('mlc.webhook.WebhookReceived', {
      meta: { eventId: 'e', tenantId: 't', correlationId: 'c', source: 's', occurredAt: 1 },
      partner: 'shipbob',
      topic: 'order.shipped',
      deliveryId: 'd',
      headers: {},
      body: '{}',
    });
    assert.throws(
      () => codec.decode(hook, 'mlc.erp.PurchaseOrderChanged'),
      (e: unknown) => e instanceof DecodeError && e.reason === 'WRONG_RECORD',
    );
    const truncated = hook.subarray(0, 14);
    assert.throws(
      () => codec.decode(truncated, 'mlc.webhook.WebhookReceived'),
      (e: unknown) => e instanceof DecodeError && e.reason === 'UNDECODABLE',
    );
  });

  it('rejects a value that does not match its schema, naming the field', () => {
    assert.throws(() => codec.encode('mlc.webhook.WebhookReceived', { partner: 'nope' }), /bad field\(s\).*partner/);
  });
});
