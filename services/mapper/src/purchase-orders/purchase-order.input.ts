import type { TopicRecords } from '@mlc/contracts';
import type { AddressInput, PurchaseOrderInput } from '@mlc/domain-fulfilment';

type PoEvent = TopicRecords['erp.purchase-order.changed.v1'];

/**
 * The mapping input of a PO event. The ship-to address comes from (in order) address fields the poller may add to
 * the event (`shipToAddress`, `shipToAddresses`, `shipToLocationCode`), then the raw Fusion PO (`ShipToLocationAddress`,
 * `ShipToLocationCode`, `SupplierId`, `SupplierSiteId`), read leniently: a raw PO that is not JSON adds nothing.
 */
export function toPurchaseOrderInput(po: PoEvent): PurchaseOrderInput {
  const extra = po as PoEvent & Record<string, unknown>;
  const raw = parseObject(po.raw);
  const addresses: Record<string, AddressInput | string> = {};
  for (const [code, a] of Object.entries(asRecord(extra['shipToAddresses']) ?? {})) {
    const v = address(a);
    if (v) addresses[code] = v;
  }
  for (const line of list(raw?.['lines'])) {
    for (const s of list(asRecord(line)?.['schedules'])) {
      const sched = asRecord(s);
      const code = str(sched?.['ShipToLocationCode']);
      const a = address(sched?.['ShipToLocationAddress']);
      if (code && a && !addresses[code]) addresses[code] = a;
    }
  }
  return {
    poHeaderId: po.poHeaderId,
    orderNumber: po.orderNumber,
    status: po.status,
    lastUpdateDate: po.lastUpdateDate,
    supplier: po.supplier ?? null,
    supplierSite: po.supplierSite ?? null,
    lines: po.lines,
    shipToLocationCode: str(extra['shipToLocationCode']) ?? str(raw?.['ShipToLocationCode']) ?? null,
    shipToAddress: address(extra['shipToAddress']) ?? address(raw?.['ShipToLocationAddress']) ?? null,
    shipToAddresses: addresses,
    supplierKeys: [str(raw?.['SupplierSiteId']), str(raw?.['SupplierId']), str(raw?.['SupplierNumber'])].filter((k): k is string => !!k),
  };
}

function address(v: unknown): AddressInput | string | undefined {
  if (typeof v === 'string') return v.trim() ? v : undefined;
  const r = asRecord(v);
  if (!r) return undefined;
  return {
    name: str(r['name'] ?? r['Name'] ?? r['LocationName']),
    address1: str(r['address1'] ?? r['AddressLine1']),
    address2: str(r['address2'] ?? r['AddressLine2']),
    city: str(r['city'] ?? r['TownOrCity'] ?? r['City']),
    state: str(r['state'] ?? r['Region2'] ?? r['State']),
    postalCode: str(r['postalCode'] ?? r['PostalCode']),
    country: str(r['country'] ?? r['Country']),
    email: str(r['email']),
    phone: str(r['phone']),
  };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A child collection as Fusion expands it (`{ items: [...] }`) or as a plain array. */
function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  const items = asRecord(v)?.['items'];
  return Array.isArray(items) ? items : [];
}

function str(v: unknown): string | null {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}
