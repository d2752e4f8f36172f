/** Our view of ShipBob data. The client maps ShipBob's snake_case wire format into these. */

export type ShipbobOrderType = 'DTC' | 'DropShip' | 'B2B';
export type ShipbobOrderStatus = 'Processing' | 'Exception' | 'PartiallyFulfilled' | 'Fulfilled' | 'Cancelled' | 'ImportReview';
export type ShipbobShipmentStatus =
  'None' | 'Processing' | 'Completed' | 'Exception' | 'OnHold' | 'Cancelled' | 'CleanSweeped' | 'LabeledCreated' | 'ImportReview';

export interface ShipbobAddress {
  address1: string;
  address2?: string;
  city: string;
  state?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  zipCode?: string;
  companyName?: string;
}

export interface ShipbobCreateOrderInput {
  /** Unique, immutable upstream key (e.g. the Fusion order/line key); ShipBob's duplicate key. 1-300 chars. */
  referenceId: string;
  orderNumber?: string;
  type: ShipbobOrderType;
  /** Free text matched to the merchant's ship option mapping. */
  shippingMethod: string;
  recipient: { name: string; email?: string; phoneNumber?: string; address: ShipbobAddress };
  lines: Array<{
    /** SKU (ShipBob's product reference_id). Either this or `productId`. */
    sku?: string;
    /** ShipBob product id, when the product is known by id rather than SKU. */
    productId?: number;
    /** Needed only when ShipBob does not know the SKU yet (it then creates the product). */
    name?: string;
    quantity: number;
    unitPriceMinor?: number;
    externalLineId?: number;
  }>;
  locationId?: number;
  purchaseDate?: string;
  tags?: Array<{ name: string; value: string }>;
}

export interface ShipbobTracking {
  carrier: string;
  carrierService: string | undefined;
  trackingNumber: string;
  trackingUrl: string | undefined;
  shippedAt: string | undefined;
}

export interface ShipbobShipment {
  id: number;
  orderId: number;
  referenceId: string;
  status: ShipbobShipmentStatus;
  /** Names of the status details, e.g. ['Picked'], ['InTransit'], ['OutOfStock']. */
  statusDetails: string[];
  locationId: number | undefined;
  tracking: ShipbobTracking | undefined;
  fulfilledAt: string | undefined;
  deliveredAt: string | undefined;
  updatedAt: string | undefined;
  /** `last_tracking_update_at`. */
  trackingUpdatedAt?: string | undefined;
  /** `status_details` with their descriptions (why a shipment is in exception / on hold), oldest first. */
  details?: Array<{ name: string; description: string | undefined }>;
  /** Units per product in this shipment (`products[].inventory_items[].quantity` summed). */
  products?: Array<{ referenceId: string | undefined; sku: string | undefined; quantity: number }>;
}

/**
 * One window of `GET /order` (OpenAPI 2026-01 paths./2026-01/order.get parameters): orders updated, or with tracking
 * updated, between two instants. `LastUpdateStartDate`/`LastUpdateEndDate` and `LastTrackingUpdateStartDate`/
 * `LastTrackingUpdateEndDate` are documented filters; whether a carrier update (in transit, delivered) moves an
 * order's "last update" is not documented, so a sweep reads both (`ShipbobClient.ordersChangedBetween`).
 */
export interface ShipbobOrderChangeWindow {
  by: 'last-update' | 'last-tracking-update';
  from: string;
  to: string;
  /** 1-based page (`Page`). */
  page: number;
  /** Orders per page (`Limit`, 1-250). */
  limit: number;
}

export interface ShipbobOrder {
  id: number;
  referenceId: string;
  orderNumber: string;
  status: ShipbobOrderStatus;
  type: ShipbobOrderType;
  channelId: number | undefined;
  createdAt: string;
  lines: Array<{ id: number; sku: string; quantity: number; externalLineId: number | undefined }>;
  shipments: ShipbobShipment[];
}

export interface ShipbobCreateOrderResult {
  order: ShipbobOrder;
  /** false when ShipBob answered 422 (duplicate reference_id) and the existing order was returned instead. */
  created: boolean;
}

export interface ShipbobCancelResult {
  orderId: number;
  /** Success, Failure (nothing cancelled, e.g. already picked) or PartialSuccess. */
  status: 'Success' | 'Failure' | 'PartialSuccess';
  shipments: Array<{ shipmentId: number; cancelled: boolean; reason: string | undefined }>;
}

export interface ShipbobProduct {
  id: number;
  name: string;
  variants: Array<{ id: number; sku: string; name: string; inventoryId: number | undefined; onHand: number | undefined; upc?: string; gtin?: string }>;
}

export interface ShipbobFulfillmentCenter {
  id: number;
  name: string;
  timezone: string | undefined;
  address: ShipbobAddress;
}

export interface ShipbobLocation {
  id: number;
  name: string;
  abbreviation: string | undefined;
  timezone: string | undefined;
  active: boolean;
  receivingEnabled: boolean;
  shippingEnabled: boolean;
  services: Array<{ type: string; enabled: boolean; address: ShipbobAddress | undefined }>;
}

export interface ShipbobWebhookSubscription {
  id: string;
  url: string;
  topics: string[];
  description: string | undefined;
  /** Only in lists. */
  enabled: boolean | undefined;
  createdAt: string | undefined;
  /** Only in the answer to a create. */
  secret?: string;
}

export interface ShipbobChannel {
  id: number;
  name: string;
  applicationName: string | undefined;
  scopes: string[];
}

export interface ShipbobTransaction {
  transactionId: string;
  /** Minor units (cents) of `currencyCode`. */
  amountMinor: number;
  currencyCode: string;
  chargeDate: string;
  invoiceId: number | undefined;
  invoiceType: string | undefined;
  invoicedStatus: string | undefined;
  /** Billing.TransactionDtoV3.invoiced_status (a boolean in OpenAPI 2026-01). */
  invoiced: boolean | undefined;
  referenceId: string;
  referenceType: string;
  transactionType: string;
  transactionFee: string | undefined;
  /** OpenAPI 2026-01 gives the center as a string (name or code); an object `{id, name}` is read too. */
  fulfillmentCenter: { id: number | undefined; name: string | undefined } | undefined;
}

export interface ShipbobTransactionQuery {
  fromDate?: string;
  toDate?: string;
  referenceIds?: string[];
  referenceTypes?: Array<'Shipment' | 'Return' | 'WRO' | 'URO'>;
  transactionTypes?: Array<'Charge' | 'Refund' | 'Credit' | 'Payment' | 'BalanceAdjustment'>;
  pageSize?: number;
  sortOrder?: 'Ascending' | 'Descending';
  cursor?: string;
}

export interface ShipbobPage<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; undefined on the last page. */
  nextCursor: string | undefined;
}

/** Rate-limit state from the last answer (`x-remaining-calls`, `x-retry-after`). */
export interface ShipbobRateLimitState {
  remainingCalls: number | undefined;
  retryAfterMs: number | undefined;
  observedAt: number;
}

export interface ShipbobPing {
  latencyMs: number;
  /** Whether the configured channel is visible to these credentials. */
  channelFound: boolean;
  remainingCalls: number | undefined;
}
