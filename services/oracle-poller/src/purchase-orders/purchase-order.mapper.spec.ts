import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FusionPurchaseOrder } from '@mlc/partners-fusion-client';
import { decimalString, toPurchaseOrderChanged } from './purchase-order.mapper';

const meta = { eventId: 'e1', tenantId: 'demo', correlationId: 'e1', causationId: null, source: 'oracle-poller', occurredAt: 1, traceparent: null };

const po: FusionPurchaseOrder = {
  POHeaderId: '300100000000011',
  OrderNumber: '1001',
  Supplier: 'Acme Components',
  SupplierId: '300100000000002',
  SupplierSite: 'MAIN',
  Status: 'Open',
  CurrencyCode: 'USD',
  ProcurementBU: 'Vision Operations',
  ShipToLocationId: '300100000000005',
  ShipToLocationCode: 'WH-RENO',
  LastUpdateDate: '2026-11-24T10:00:00.123+00:00',
  lines: [
    {
      POLineId: '300100000000012',
      LineNumber: 1,
      Item: 'SKU-CAP',
      Quantity: '12.50',
      UOM: 'Each',
      Price: '0.30',
      Status: 'Open',
      schedules: [
        {
          LineLocationId: '300100000000013',
          ScheduleNumber: 1,
          Quantity: '12.50',
          QuantityReceived: '0',
          ShipToLocationCode: 'WH-RENO',
          ShipToOrganizationCode: 'RNO',
        },
      ],
    },
  ],
};

describe('toPurchaseOrderChanged', () => {
  it('fills header, supplier, ship-to address, lines and schedules; ids and quantities as strings', () => {
    const e = toPurchaseOrderChanged(
      po,
      {
        supplier: { SupplierId: '300100000000002', Supplier: 'Acme Components', SupplierNumber: 'SUP-1001', sites: [] },
        shipTo: {
          LocationId: '300100000000005',
          LocationCode: 'WH-RENO',
          AddressLine1: '1 Dock Road',
          TownOrCity: 'Reno',
          Region2: 'NV',
          PostalCode: '89502',
          Country: 'US',
          Address: 'WH-RENO, 1 Dock Road',
        },
      },
      meta,
    );
    assert.equal(e.poHeaderId, '300100000000011');
    assert.equal(e.lastUpdateDate, po.LastUpdateDate);
    assert.equal(e.supplierNumber, 'SUP-1001');
    assert.deepEqual(e.shipTo, {
      locationCode: 'WH-RENO',
      name: 'WH-RENO',
      address1: '1 Dock Road',
      address2: null,
      city: 'Reno',
      state: 'NV',
      postalCode: '89502',
      country: 'US',
      addressText: 'WH-RENO, 1 Dock Road',
    });
    const line = e.lines[0]!;
    assert.equal(line.quantity, '12.5');
    assert.equal(line.shipToOrganizationCode, 'RNO');
    assert.equal(line.schedules?.[0]?.lineLocationId, '300100000000013');
    assert.equal(line.schedules?.[0]?.quantityReceived, '0');
    assert.equal(line.unitPrice, '0.3');
    // raw is the PO as Oracle wrote it: ids and amounts as exact number tokens
    assert.match(e.raw, /"POHeaderId":300100000000011,/);
    assert.match(e.raw, /"Quantity":12\.50,/);
  });

  it('leaves the ship-to address empty when Fusion has no location for it', () => {
    const e = toPurchaseOrderChanged(po, { supplier: null, shipTo: null }, meta);
    assert.equal(e.shipTo, null);
    assert.equal(e.supplierNumber, null);
    assert.equal(e.shipToLocationCode, 'WH-RENO');
  });

  it('keeps ids beyond 2^53 exact and sums schedule quantities as decimals (0.1 + 0.2 is 0.3)', () => {
    const big: FusionPurchaseOrder = {
      ...po,
      POHeaderId: '9007199254740993',
      lines: [
        {
          ...po.lines[0]!,
          POLineId: '9007199254740995',
          Quantity: undefined,
          schedules: [
            { LineLocationId: '9007199254740997', Quantity: '0.1' },
            { LineLocationId: '2', Quantity: '0.2' },
          ],
        },
      ],
    };
    const e = toPurchaseOrderChanged(big, { supplier: null, shipTo: null }, meta);
    assert.equal(e.poHeaderId, '9007199254740993');
    assert.equal(e.lines[0]!.poLineId, '9007199254740995');
    assert.equal(e.lines[0]!.schedules?.[0]?.lineLocationId, '9007199254740997');
    assert.equal(e.lines[0]!.quantity, '0.3');
    assert.match(e.raw, /"POHeaderId":9007199254740993,/);
  });

  it('writes decimals without exponents', () => {
    assert.equal(decimalString('12.50'), '12.5');
    assert.equal(decimalString('1E-7'), '0.0000001');
    assert.equal(decimalString('not a number'), null);
    assert.equal(decimalString(1e-7), '0.0000001');
    assert.equal(decimalString(3), '3');
    assert.equal(decimalString(undefined), null);
  });
});
