/** The partners a tenant connects to; one connection each. */
export const PARTNERS = ['fusion', 'shipbob', 'shopify'] as const;
export type Partner = (typeof PARTNERS)[number];

export type TenantMode = 'live' | 'demo';

// ---------- connections ----------

export type FusionAuth =
  | { type: 'oauth2-client-credentials'; tokenUrl: string; clientId: string; clientSecret: string; scope: string }
  | { type: 'basic'; username: string; password: string };

export type ShipbobAuth =
  | { type: 'pat'; token: string }
  /** Authorization-code app: ShipBob rotates the refresh token on every refresh (reference/shipbob.md §2). */
  | { type: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; refreshToken: string };

export type ShopifyAuth = { type: 'access-token'; accessToken: string } | { type: 'client-credentials'; clientId: string; clientSecret: string };

/** Basic credentials for Fusion's SOAP services when they differ from the REST `auth` (e.g. OAuth for REST). */
export interface FusionSoapAuth {
  type: 'basic';
  username: string;
  password: string;
}

export interface FusionConnection {
  partner: 'fusion';
  baseUrl: string;
  auth: FusionAuth;
  /** Used by the SOAP calls (credit memos, customer accounts) when present; `auth` otherwise. */
  soapAuth?: FusionSoapAuth;
}

export interface ShipbobConnection {
  partner: 'shipbob';
  baseUrl: string;
  auth: ShipbobAuth;
  /** Sent as the `shipbob_channel_id` header. */
  channelId: string;
  /** `whsec_…` secrets; several are accepted while a rotation is under way. */
  webhookSecrets: string[];
}

export interface ShopifyConnection {
  partner: 'shopify';
  baseUrl: string;
  /** `<shop>.myshopify.com` */
  shopDomain: string;
  /** `YYYY-MM` or `unstable`. */
  apiVersion: string;
  auth: ShopifyAuth;
  /** At most two (old + new during a rotation). */
  webhookSecrets: string[];
}

export type Connection = FusionConnection | ShipbobConnection | ShopifyConnection;

/**
 * What `setConnection` accepts (checked at run time): a full connection, except that secret fields may be left out
 * when the auth type is unchanged, in which case the stored value is kept (so an operator can move a base URL
 * without retyping secrets).
 */
export interface ConnectionInput {
  partner: Partner;
  [field: string]: unknown;
}

/** The log-safe view of a connection: every secret replaced by a marker. */
export interface ConnectionSummary {
  partner: Partner;
  baseUrl: string;
  authType: string;
  settings: Record<string, unknown>;
  /** Names of the secret fields that hold a value, e.g. ['auth.clientSecret', 'webhookSecrets[0]']. */
  secretsSet: string[];
  /** Present when the stored secrets cannot be decrypted with the configured keys (lost or rotated-away key). */
  secretsUnreadable?: string;
  updatedAt: string;
}

// ---------- mappings ----------

/** Keyed mapping tables (CSV import/export works on these). */
export const MAPPING_KINDS = ['item-product', 'supplier-fc', 'ship-to-fc', 'ship-to-address', 'shipbob-event-rule'] as const;
export type MappingKind = (typeof MAPPING_KINDS)[number];

/** Fusion item/product code -> ShipBob product (by reference/SKU, by id, or both). */
export interface ItemProductValue {
  shipbobSku?: string;
  shipbobProductId?: number;
}
/** Fusion supplier (site) or ship-to location -> ShipBob fulfillment center. */
export interface FulfillmentCenterValue {
  fulfillmentCenterId: number;
}
/**
 * Fusion ship-to location code -> the full address ShipBob ships to, set once per location by an operator when the
 * PO's one-line `ShipToLocationAddress` cannot be read (or is wrong). Used before the address on the PO.
 */
export interface ShipToAddressValue {
  /** Recipient name; the location code when absent. */
  name?: string;
  address1: string;
  address2?: string;
  city: string;
  state?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2, e.g. `US`. */
  country: string;
  email?: string;
  phone?: string;
}
export const PO_ACTIONS = ['ignore', 'mark-shipped', 'mark-delivered', 'mark-exception', 'mark-on-hold', 'mark-cancelled', 'receive'] as const;
export type PoAction = (typeof PO_ACTIONS)[number];
/** ShipBob webhook topic -> what to do with the Fusion PO (line). */
export interface EventRuleValue {
  action: PoAction;
  /** Free-text note written to the PO/receipt, optional. */
  note?: string;
}

export interface MappingValueByKind {
  'item-product': ItemProductValue;
  'supplier-fc': FulfillmentCenterValue;
  'ship-to-fc': FulfillmentCenterValue;
  'ship-to-address': ShipToAddressValue;
  'shipbob-event-rule': EventRuleValue;
}

export interface MappingEntry<K extends MappingKind = MappingKind> {
  kind: K;
  key: string;
  value: MappingValueByKind[K];
}

// ---------- tenant-wide settings ----------

export interface AccountingSettings {
  /** GL combination, segments joined by '-' or '.', e.g. `101-10-4000-000`. */
  revenueAccountCombination: string;
  businessUnit: string;
  transactionSource: string;
  transactionType: string;
  paymentTerms: string;
  /** Fusion customer account number used when a Shopify order has no matchable customer. */
  guestCustomerAccountNumber: string;
}

export type CustomerMatchingRule = 'email-then-external-id' | 'external-id-then-email';
export type OrderGrouping = 'per-po-line' | 'per-po-and-fulfillment-center';

export interface PollingIntervals {
  purchaseOrdersMs: number;
  receiptsMs: number;
  shipbobOrdersMs: number;
  shopifyOrdersMs: number;
}

export interface TenantSettings {
  accounting: AccountingSettings | null;
  customerMatching: CustomerMatchingRule;
  pollingIntervalsMs: PollingIntervals;
  orderGrouping: OrderGrouping;
  /**
   * Fusion PO (and line) statuses whose lines become ShipBob orders, as Fusion displays them. Absent = `['Open']`
   * (the only status Fusion receives against by default); a PO On Hold is picked up once it is Open again.
   */
  receivablePoStatuses?: string[];
  /**
   * Also put each ShipBob shipment problem (exception, on hold, cancelled) on the Fusion PO as its NoteToReceiver
   * (draftPurchaseOrders PATCH). Absent = false: problems only go to the exceptions queue.
   */
  shipmentProblemsAsPoNote?: boolean;
  /**
   * Write the Fusion invoice number back onto the Shopify order (an order metafield), so the shop's staff see it.
   * Absent = false (off).
   */
  shopifyWriteBack?: boolean;
  /** How many days back oracle-poller starts a feed that has no cursor yet (0..3650). Absent = 30. */
  initialLookbackDays?: number;
  /**
   * Dry run per flow (go-live rehearsal): reads and look-ups happen as live, but the writers record each would-be
   * partner write (audit result `dry-run`) instead of sending it. Absent/false = live.
   */
  dryRun?: DryRunSettings;
}

/** `purchaseOrders`: Fusion PO -> ShipBob orders and the write-backs onto the PO; `receivables`: Shopify -> Fusion. */
export interface DryRunSettings {
  purchaseOrders?: boolean;
  receivables?: boolean;
}

export type TenantSettingsPatch = {
  /** Merged onto the stored accounting settings (all six fields are needed when none are stored yet). */
  accounting?: Partial<AccountingSettings> | null;
  customerMatching?: CustomerMatchingRule;
  pollingIntervalsMs?: Partial<PollingIntervals>;
  orderGrouping?: OrderGrouping;
  receivablePoStatuses?: string[];
  shipmentProblemsAsPoNote?: boolean;
  shopifyWriteBack?: boolean;
  initialLookbackDays?: number;
  dryRun?: DryRunSettings;
};

export const DEFAULT_SETTINGS: TenantSettings = {
  accounting: null,
  customerMatching: 'email-then-external-id',
  pollingIntervalsMs: { purchaseOrdersMs: 5 * 60_000, receiptsMs: 10 * 60_000, shipbobOrdersMs: 10 * 60_000, shopifyOrdersMs: 15 * 60_000 },
  orderGrouping: 'per-po-line',
};

// ---------- tenants, snapshots, changes ----------

export interface TenantInput {
  id: string;
  name: string;
  mode?: TenantMode;
  settings?: TenantSettingsPatch;
}

export interface TenantSummary {
  id: string;
  name: string;
  mode: TenantMode;
  configVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface TenantDetails extends TenantSummary {
  settings: TenantSettings;
  connections: ConnectionSummary[];
  mappingCounts: Record<MappingKind, number>;
}

/** Everything a service needs to act for a tenant, secrets decrypted. Never log it. */
export interface TenantSnapshot {
  tenantId: string;
  name: string;
  mode: TenantMode;
  configVersion: number;
  settings: TenantSettings;
  connections: { fusion?: FusionConnection; shipbob?: ShipbobConnection; shopify?: ShopifyConnection };
  mappings: { [K in MappingKind]: Record<string, MappingValueByKind[K]> };
  loadedAt: number;
}

export type ChangeEntity = 'tenant' | 'settings' | 'connection' | 'mapping';
export type ChangeAction = 'created' | 'updated' | 'deleted' | 'imported';

/** One versioned configuration change. Values are masked: secrets never appear. */
export interface TenantConfigChange {
  tenantId: string;
  version: number;
  entity: ChangeEntity;
  /** e.g. 'shipbob' for a connection, 'item-product:ITEM-1' for a mapping, 'item-product' for an import. */
  key: string;
  action: ChangeAction;
  actor: string;
  at: string;
  oldValue: unknown;
  newValue: unknown;
}

export interface TenantChangePublisher {
  publish(change: TenantConfigChange): Promise<void>;
}

export interface HistoryEntry extends TenantConfigChange {
  id: number;
}
