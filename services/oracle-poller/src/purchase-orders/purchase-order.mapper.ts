import { Decimal } from '@mlc/platform-decimal';
import {
  stringifyFusionJson,
  type FusionPoLine,
  type FusionPoSchedule,
  type FusionPurchaseOrder,
  type FusionShipToLocation,
  type FusionSupplier,
} from '@mlc/partners-fusion-client';
import type { EventMeta, TopicRecords } from '@mlc/contracts';

export type PurchaseOrderChanged = TopicRecords['erp.purchase-order.changed.v1'];

/**
 * A Fusion amount or quantity (the client reads them as exact decimal text) as a plain decimal string: never exponent
 * notation, no float noise, the shortest form ("2.5" for 2.50). Null when absent or not a number.
 */
export function decimalString(v: string | number | undefined | null): string | null {
  const d = Decimal.tryParse(v);
  return d ? d.toPlainString() : null;
}

const str = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));

function schedule(s: FusionPoSchedule) {
  return {
    lineLocationId: String(s.LineLocationId),
    scheduleNumber: str(s.ScheduleNumber),
    quantity: decimalString(s.Quantity) ?? '0',
    quantityReceived: decimalString(s.QuantityReceived),
    quantityShipped: decimalString(s.QuantityShipped),
    shipToLocationId: str(s.ShipToLocationId),
    shipToLocationCode: str(s.ShipToLocationCode),
    shipToOrganizationCode: str(s.ShipToOrganizationCode),
    requestedDeliveryDate: str(s.RequestedDeliveryDate),
    status: str(s.Status),
  };
}

function line(l: FusionPoLine, header: FusionPurchaseOrder) {
  const first = l.schedules[0];
  // The line's ordered quantity, else the exact sum of its schedules' quantities (decimals: 0.1 + 0.2 is 0.3).
  const quantity = l.Quantity ?? Decimal.sum(l.schedules.map((s) => Decimal.tryParse(s.Quantity) ?? Decimal.ZERO)).toString();
  return {
    poLineId: String(l.POLineId),
    lineNumber: String(l.LineNumber),
    itemNumber: str(l.Item),
    description: str(l.Description),
    quantity: decimalString(quantity) ?? '0',
    uom: str(l.UOM),
    status: str(l.Status),
    shipToLocationCode: str(first?.ShipToLocationCode ?? header.ShipToLocationCode),
    lineLastUpdateDate: str((l as unknown as { LastUpdateDate?: string }).LastUpdateDate),
    unitPrice: decimalString(l.Price),
    shipToOrganizationCode: str(first?.ShipToOrganizationCode),
    schedules: l.schedules.map(schedule),
  };
}

/** The event for one Fusion PO as read (lines and schedules expanded), with the supplier and ship-to looked up. */
export function toPurchaseOrderChanged(
  po: FusionPurchaseOrder,
  lookups: { supplier?: FusionSupplier | null; shipTo?: FusionShipToLocation | null },
  meta: EventMeta,
): PurchaseOrderChanged {
  const loc = lookups.shipTo;
  return {
    meta,
    poHeaderId: String(po.POHeaderId),
    orderNumber: String(po.OrderNumber),
    status: String(po.Status),
    lastUpdateDate: po.LastUpdateDate,
    currencyCode: str(po.CurrencyCode),
    procurementBusinessUnit: str(po.ProcurementBU),
    supplier: str(po.Supplier),
    supplierSite: str(po.SupplierSite),
    lines: po.lines.map((l) => line(l, po)),
    supplierId: str(po.SupplierId),
    supplierNumber: str(lookups.supplier?.SupplierNumber),
    shipToLocationId: str(po.ShipToLocationId),
    shipToLocationCode: str(po.ShipToLocationCode ?? loc?.LocationCode),
    // The location's structured address where the LOV gives one, else the PO's own one-line ShipToLocationAddress.
    shipTo:
      loc || po.ShipToLocationAddress
        ? {
            locationCode: str(loc?.LocationCode ?? po.ShipToLocationCode),
            name: str(loc?.Description ?? loc?.LocationCode ?? po.ShipToLocationCode),
            address1: str(loc?.AddressLine1),
            address2: str(loc?.AddressLine2),
            city: str(loc?.TownOrCity),
            state: str(loc?.Region2),
            postalCode: str(loc?.PostalCode),
            country: str(loc?.Country),
            addressText: str(loc?.Address ?? po.ShipToLocationAddress),
          }
        : null,
    // The PO as Oracle wrote it: ids and amounts as exact number tokens.
    raw: stringifyFusionJson(po),
  };
}
