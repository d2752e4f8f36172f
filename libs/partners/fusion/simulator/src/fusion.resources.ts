import type { ResourceDef } from './fusion-rest';
import { RECEIPT_PROCESSING, RESPONSE_FIELDS } from './fusion-schemas';
import type { PoLine, PoSchedule, PurchaseOrder, ReceiptLine, ReceiptProcessingError, ReceiptRequest, ShipToLocation, Supplier } from './fusion.store';

// Field names marked UNCONFIRMED in the reference (LastUpdateDate on purchaseOrders, line UOM/Price/ItemId, schedule
// quantities and ship-to codes) follow the most plausible spelling; the reference says to confirm them with /describe.

export const scheduleDef: ResourceDef<PoSchedule> = {
  name: 'schedules',
  fields: RESPONSE_FIELDS['purchaseOrders.lines.schedules']!.attrs,
  attrs: {
    LineLocationId: 'number',
    ScheduleNumber: 'number',
    Quantity: 'number',
    QuantityReceived: 'number',
    QuantityShipped: 'number',
    ShipToLocationId: 'number',
    ShipToLocationCode: 'string',
    ShipToOrganizationCode: 'string',
    RequestedDeliveryDate: 'date',
    Status: 'string',
  },
  key: (s) => s.uniqId,
  scalars: ({ uniqId: _k, ...s }) => ({ ...s }),
};

export const poLineDef: ResourceDef<PoLine> = {
  name: 'lines',
  fields: RESPONSE_FIELDS['purchaseOrders.lines']!.attrs,
  attrs: {
    POLineId: 'number',
    LineNumber: 'number',
    Item: 'string',
    ItemId: 'number',
    Description: 'string',
    Quantity: 'number',
    UOM: 'string',
    Price: 'number',
    Total: 'number',
    Currency: 'string',
    Status: 'string',
  },
  key: (l) => String(l.POLineId),
  scalars: (l) => {
    const quantity = l.schedules.reduce((s, x) => s + x.Quantity, 0);
    return {
      POLineId: l.POLineId,
      LineNumber: l.LineNumber,
      Item: l.Item,
      ItemId: l.ItemId,
      Description: l.Description,
      Quantity: quantity,
      UOM: l.UOM,
      Price: l.Price,
      Total: Math.round(quantity * l.Price * 100) / 100,
      Currency: 'US Dollar',
      Status: l.Status,
    };
  },
  children: { schedules: { def: scheduleDef, list: (l) => l.schedules } },
};

export const poDffDef: ResourceDef<PurchaseOrder> = {
  name: 'DFF',
  attrs: { PoHeaderId: 'number' },
  key: (po) => String(po.POHeaderId),
  scalars: (po) => ({ PoHeaderId: po.POHeaderId, __FLEX_Context: null, ...po.dff }),
};

function poTotal(po: PurchaseOrder): number {
  return Math.round(po.lines.filter((l) => l.Status !== 'Canceled').reduce((s, l) => s + (poLineDef.scalars(l)['Total'] as number), 0) * 100) / 100;
}

export const purchaseOrderDef: ResourceDef<PurchaseOrder> = {
  name: 'purchaseOrders',
  fields: RESPONSE_FIELDS['purchaseOrders']!.attrs,
  attrs: {
    POHeaderId: 'number',
    OrderNumber: 'string',
    Supplier: 'string',
    SupplierId: 'number',
    SupplierSite: 'string',
    SupplierSiteId: 'number',
    Status: 'string',
    Ordered: 'number',
    Total: 'number',
    CurrencyCode: 'string',
    Currency: 'string',
    ProcurementBU: 'string',
    BillToBU: 'string',
    Buyer: 'string',
    ShipToLocationId: 'number',
    ShipToLocationCode: 'string',
    ShipToLocationAddress: 'string',
    Description: 'string',
    CreationDate: 'datetime',
    LastUpdateDate: 'datetime',
  },
  key: (po) => po.uniqId,
  // Every scalar but the computed Ordered, Total and TotalTax (fusion.sandbox.spec checks each against scalars).
  direct: new Set([
    'POHeaderId',
    'OrderNumber',
    'Supplier',
    'SupplierId',
    'SupplierSite',
    'SupplierSiteId',
    'Status',
    'CurrencyCode',
    'Currency',
    'ProcurementBU',
    'BillToBU',
    'Buyer',
    'ShipToLocationId',
    'ShipToLocationCode',
    'ShipToLocationAddress',
    'Description',
    'CreationDate',
    'LastUpdateDate',
  ]),
  changeIndicator: (po) => `ACED0005${po.changeCount.toString(16).toUpperCase().padStart(8, '0')}`,
  scalars: (po) => {
    const total = poTotal(po); // Ordered and Total: the same sum, computed once (every PO of every collection read)
    return {
      POHeaderId: po.POHeaderId,
      OrderNumber: po.OrderNumber,
      Supplier: po.Supplier,
      SupplierId: po.SupplierId,
      SupplierSite: po.SupplierSite,
      SupplierSiteId: po.SupplierSiteId,
      Status: po.Status,
      Ordered: total,
      Total: total,
      TotalTax: 0,
      CurrencyCode: po.CurrencyCode,
      Currency: po.Currency,
      ProcurementBU: po.ProcurementBU,
      BillToBU: po.BillToBU,
      Buyer: po.Buyer,
      ShipToLocationId: po.ShipToLocationId,
      ShipToLocationCode: po.ShipToLocationCode,
      ShipToLocationAddress: po.ShipToLocationAddress,
      Description: po.Description,
      CreationDate: po.CreationDate,
      LastUpdateDate: po.LastUpdateDate,
    };
  },
  children: {
    lines: { def: poLineDef, list: (po) => po.lines },
    DFF: { def: poDffDef, list: (po) => [po] },
  },
};

export const receiptProcessingErrorDef: ResourceDef<ReceiptProcessingError> = {
  name: 'processingErrors',
  attrs: { InterfaceErrorId: 'number', ErrorMessageName: 'string' },
  fields: RECEIPT_PROCESSING.errors.attrs,
  key: (e) => String(e.InterfaceErrorId),
  scalars: (e) => ({ ...e }),
};

export const receiptLineDef: ResourceDef<ReceiptLine> = {
  name: 'lines',
  attrs: {
    InterfaceTransactionId: 'number',
    DocumentNumber: 'string',
    TransactionType: 'string',
    ProcessingStatusCode: 'string',
    TransactionStatusCode: 'string',
  },
  key: (l) => String(l.InterfaceTransactionId),
  scalars: (l) => ({
    InterfaceTransactionId: l.InterfaceTransactionId,
    ...l.fields,
    ProcessingStatusCode: l.ProcessingStatusCode,
    TransactionStatusCode: l.TransactionStatusCode,
  }),
  children: { processingErrors: { def: receiptProcessingErrorDef, list: (l) => l.processingErrors } },
};

export const receiptRequestDef: ResourceDef<ReceiptRequest> = {
  name: 'receivingReceiptRequests',
  attrs: { HeaderInterfaceId: 'number', ReceiptSourceCode: 'string', ShipmentNumber: 'string', ProcessingStatusCode: 'string', LastUpdateDate: 'datetime' },
  key: (r) => String(r.HeaderInterfaceId),
  scalars: (r) => ({
    HeaderInterfaceId: r.HeaderInterfaceId,
    ...r.fields,
    ProcessingStatusCode: r.ProcessingStatusCode,
    CreationDate: r.CreationDate,
    LastUpdateDate: r.LastUpdateDate,
  }),
  children: { lines: { def: receiptLineDef, list: (r) => r.lines } },
};

export const supplierSiteDef: ResourceDef<Supplier['sites'][number]> = {
  name: 'sites',
  attrs: { SupplierSiteId: 'number', SupplierSite: 'string', ProcurementBU: 'string' },
  key: (s) => String(s.SupplierSiteId),
  scalars: (s) => ({ ...s }),
};

export const supplierDef: ResourceDef<Supplier> = {
  name: 'suppliers',
  attrs: { SupplierId: 'number', Supplier: 'string', SupplierNumber: 'string', LastUpdateDate: 'datetime' },
  key: (s) => String(s.SupplierId),
  scalars: ({ sites: _s, ...s }) => ({ ...s }),
  children: { sites: { def: supplierSiteDef, list: (s) => s.sites } },
};

/** `b2bShipToLocationsLOV` (SCM); the attribute names are UNCONFIRMED in the reference. */
export const shipToLocationDef: ResourceDef<ShipToLocation> = {
  name: 'b2bShipToLocationsLOV',
  attrs: { LocationId: 'number', LocationCode: 'string', OrganizationCode: 'string' },
  key: (l) => String(l.LocationId),
  scalars: (l) => ({ ...l }),
};
