/**
 * Inputs and results of turning a Fusion purchase order into ShipBob orders. Structural types (no Kafka, no tenant
 * library): the mapper passes its event and its tenant snapshot straight in.
 */

export interface PoLineInput {
  poLineId: string;
  lineNumber: string;
  itemNumber?: string | null;
  description?: string | null;
  /** Decimal as a string. */
  quantity: string;
  uom?: string | null;
  status?: string | null;
  shipToLocationCode?: string | null;
}

/** A structured postal address (what ShipBob needs for `recipient`). */
export interface AddressInput {
  name?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  /** ISO 3166-1 alpha-2. */
  country?: string | null;
  email?: string | null;
  phone?: string | null;
  /** The one-line address as Fusion shows it; read when the structured fields are missing. */
  text?: string | null;
}

export interface PurchaseOrderInput {
  poHeaderId: string;
  orderNumber: string;
  status: string;
  lastUpdateDate: string;
  supplier?: string | null;
  supplierSite?: string | null;
  lines: PoLineInput[];
  /** Header ship-to location code (lines may override). */
  shipToLocationCode?: string | null;
  /** Ship-to address, structured or as Fusion's one-line `ShipToLocationAddress`, keyed by location code when known. */
  shipToAddress?: AddressInput | string | null;
  /** Per ship-to location code, when lines ship to different locations. */
  shipToAddresses?: Record<string, AddressInput | string>;
  /** Extra keys to try in the `supplier-fc` mapping (e.g. SupplierId, SupplierSiteId from the raw PO). */
  supplierKeys?: string[];
}

export type OrderGrouping = 'per-po-line' | 'per-po-and-fulfillment-center';

/** The parts of a tenant snapshot the mapping reads. */
export interface PoMappingConfig {
  configVersion: number;
  orderGrouping: OrderGrouping;
  itemProduct: Record<string, { shipbobSku?: string; shipbobProductId?: number }>;
  shipToFc: Record<string, { fulfillmentCenterId: number }>;
  /** PO and line statuses (display text, any case) that can be received against; default `['Open']`. */
  receivableStatuses?: readonly string[];
  /** `ship-to-address` mapping: an operator's full address per ship-to location, used before the PO's own. */
  shipToAddress?: Record<string, AddressInput>;
  supplierFc: Record<string, { fulfillmentCenterId: number }>;
}

export interface RecipientOut {
  name: string;
  address1: string;
  address2: string | null;
  city: string;
  state: string | null;
  postalCode: string | null;
  country: string;
  email: string | null;
  phone: string | null;
}

export interface OrderProductOut {
  poLineId: string;
  lineNumber: string;
  itemNumber: string | null;
  sku: string | null;
  productId: number | null;
  /** The PO line's description: the product name ShipBob needs to create a product for a SKU it does not know. */
  name: string | null;
  quantity: number;
  uom: string | null;
}

/** One ShipBob order the PO should have now (before revisions are applied). */
export interface DesiredOrder {
  /** `l<poLineId>` or `fc<fulfillmentCenterId>`: identifies the order across revisions. */
  groupKey: string;
  grouping: 'line' | 'fulfillment-center';
  fulfillmentCenterId: number;
  recipient: RecipientOut;
  products: OrderProductOut[];
  lineIds: string[];
  /** Hash of what the order carries (lines, items, quantities, fulfillment center, ship-to). */
  contentHash: string;
  /** Hash of the Fusion side of its lines (item, quantity, UOM, ship-to location): see PoPlan.lineSources. */
  sourceHash: string;
}

export type LineIssueCode =
  | 'MAPPING.MISSING_PRODUCT'
  | 'MAPPING.PRODUCT_WITHOUT_SKU'
  | 'MAPPING.MISSING_FULFILLMENT_CENTER'
  | 'MAPPING.MISSING_RECIPIENT'
  | 'VALIDATION.MISSING_ITEM'
  | 'VALIDATION.INVALID_QUANTITY';

/** A line that cannot be mapped: becomes an exception naming the PO, the line and the missing key. */
export interface LineIssue {
  code: LineIssueCode;
  category: 'missing-mapping' | 'invalid-value';
  poLineId: string;
  lineNumber: string;
  /** The mapping kind and key that is missing or wrong, e.g. `item-product:AS54888`. */
  mappingKey: string | null;
  message: string;
  /** The group the line belongs to when known (its order is then held back, not changed). */
  groupKey: string | null;
  /** The group's fulfillment center when known. */
  fulfillmentCenterId: number | null;
}

export interface PoPlan {
  /** Orders the PO should have, by group key. Cancelled lines are left out. */
  desired: Map<string, DesiredOrder>;
  issues: LineIssue[];
  /** Groups with an unmappable line: their existing order is left as it is until the line maps. */
  heldGroups: Set<string>;
  /** Lines that failed: an existing order holding one of them is left as it is. */
  heldLines: Set<string>;
  /** Every line to be fulfilled (not cancelled), mapped or not: receiving is complete only when all are received. */
  linesToFulfil: string[];
  /** Per receivable line, what Fusion says it is (item, quantity, UOM, ship-to location), mapped or not. */
  lineSources: Map<string, string>;
}

/** What the mapper remembers per order group of a PO (table mapper_po_orders). */
export interface OrderState {
  groupKey: string;
  referenceId: string;
  revision: number;
  contentHash: string;
  /** 'active' (created or requested) or 'cancelled'. */
  state: 'active' | 'cancelled';
  lineIds: string[];
  fulfillmentCenterId: number | null;
  /** DesiredOrder.sourceHash of the order as requested; null for orders stored before it was kept. */
  sourceHash?: string | null;
}

export type OrderAction =
  | { action: 'cancel'; previous: OrderState; reason: string }
  | { action: 'create'; order: DesiredOrder; referenceId: string; revision: number; supersedesReferenceId: string | null; reason: string | null };

export interface Reconciliation {
  /** In the order they must be sent: a cancel of an old revision comes before the create that supersedes it. */
  actions: OrderAction[];
  /** The state rows to store once the actions are on Kafka. */
  nextState: OrderState[];
}
