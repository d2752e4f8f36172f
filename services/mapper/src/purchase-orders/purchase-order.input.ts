import type { TopicRecords } from '@mlc/contracts';
import type { AddressInput, PurchaseOrderInput } from '@mlc/domain-fulfilment';

type PoEvent = TopicRecords['erp.purchase-order.changed.v1'];

/**
 * The mapping input of a PO event. The ship-to address is the event's `shipTo` (structured fields, else its one-line
 * `addressText`), else the raw Fusion PO's `ShipToLocationAddress` (events written before v2). Supplier keys tried in
 * `supplier-fc`: supplier site, supplier name, SupplierId, supplier number.
 */
export function toPurchaseOrderInput(po: PoEvent): PurchaseOrderInput {
  const raw = parseObject(po.raw);
  const shipTo = po.shipTo;
  const fromEvent: AddressInput | undefined = shipTo
    ? {
        name: shipTo.name,
        address1: shipTo.address1,
        address2: shipTo.address2,
        city: shipTo.city,
        state: shipTo.state,
        postalCode: shipTo.postalCode,
        country: shipTo.country,
        text: shipTo.addressText,
      }
    : undefined;
  const rawText = typeof raw?.['ShipToLocationAddress'] === 'string' ? raw['ShipToLocationAddress'] : undefined;
  const shipToAddress = (fromEvent && (fromEvent.address1 || fromEvent.text) ? fromEvent : undefined) ?? rawText ?? null;
  const headerCode = po.shipToLocationCode ?? shipTo?.locationCode ?? str(raw?.['ShipToLocationCode']);
  const shipToAddresses: Record<string, AddressInput | string> = {};
  const addressCode = shipTo?.locationCode ?? headerCode;
  if (addressCode && shipToAddress) shipToAddresses[addressCode] = shipToAddress;
  return {
    poHeaderId: po.poHeaderId,
    orderNumber: po.orderNumber,
    status: po.status,
    lastUpdateDate: po.lastUpdateDate,
    supplier: po.supplier ?? null,
    supplierSite: po.supplierSite ?? null,
    lines: po.lines,
    shipToLocationCode: headerCode ?? null,
    shipToAddress,
    shipToAddresses,
    supplierKeys: [po.supplierId ?? str(raw?.['SupplierId']), po.supplierNumber].filter((k): k is string => !!k),
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | null {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}
