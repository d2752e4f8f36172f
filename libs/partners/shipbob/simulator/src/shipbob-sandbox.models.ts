import { WEBHOOK_TOPICS_2026_01 } from './shipbob-request.schemas';

/** Resource shapes the sandbox stores and answers with, in ShipBob 2026-01 wire format (snake_case). */

export const API_VERSION = '2026-01';

/** Topics a 2026-01 subscription may name [OAS26]: the request schema's list. */
export const WEBHOOK_TOPICS = WEBHOOK_TOPICS_2026_01;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

/** Scopes a PAT carries (full access) and that OAuth apps may request. */
export const ALL_SCOPES = [
  'channels_read',
  'channels_write',
  'orders_read',
  'orders_write',
  'products_read',
  'products_write',
  'inventory_read',
  'inventory_write',
  'receiving_read',
  'receiving_write',
  'returns_read',
  'returns_write',
  'webhooks_read',
  'webhooks_write',
  'locations_read',
  'tracking_read',
  'fulfillments_read',
  'fulfillments_write',
  'billing_read',
] as const;

export interface Channel {
  id: number;
  name: string;
  application_name: string;
  scopes: string[];
}

export interface Address {
  address1: string;
  address2?: string | null;
  city: string;
  state?: string | null;
  country: string;
  zip_code?: string | null;
  company_name?: string | null;
}

export interface ProductVariant {
  id: number;
  sku: string;
  name: string;
  status: 'Active' | 'Inactive';
  upc: string | null;
  gtin: string | null;
  inventory: { inventory_id: number; on_hand_qty: number };
}

export interface Product {
  id: number;
  name: string;
  type: 'Regular' | 'Bundle';
  created_on: string;
  variants: ProductVariant[];
}

export interface Location {
  id: number;
  name: string;
  abbreviation: string;
  timezone: string;
  is_active: boolean;
  is_receiving_enabled: boolean;
  is_shipping_enabled: boolean;
  access_granted: boolean;
  attributes: string[];
  region: { id: number; name: string };
  address: Address;
}

export type ShipmentStatus = 'None' | 'Processing' | 'Completed' | 'Exception' | 'OnHold' | 'Cancelled' | 'CleanSweeped' | 'LabeledCreated' | 'ImportReview';

export type OrderStatus = 'Processing' | 'Exception' | 'PartiallyFulfilled' | 'Fulfilled' | 'Cancelled' | 'ImportReview';

export interface StatusDetail {
  id: number;
  name: string;
  description: string;
  inventory_id: number | null;
}

export interface Tracking {
  carrier: string;
  carrier_service: string;
  tracking_number: string;
  tracking_url: string;
  shipping_date: string | null;
  bol: string | null;
  pro_number: string | null;
  scac: string | null;
}

export interface OrderLine {
  id: number;
  reference_id: string;
  sku: string;
  name: string;
  quantity: number;
  unit_price: number | null;
  external_line_id: number | null;
  gtin: string | null;
  upc: string | null;
  quantity_unit_of_measure_code: string | null;
}

export interface Shipment {
  id: number;
  order_id: number;
  reference_id: string;
  status: ShipmentStatus;
  status_details: StatusDetail[];
  created_date: string;
  last_update_at: string;
  last_tracking_update_at: string | null;
  actual_fulfillment_date: string | null;
  delivery_date: string | null;
  location: { id: number; name: string };
  recipient: { name: string; full_name: string; email: string | null; phone_number: string | null; address: Address };
  products: Array<{ id: number; reference_id: string; sku: string; name: string; inventory_items: Array<{ id: number; name: string; quantity: number }> }>;
  tracking: Tracking | null;
  ship_option: string;
  is_tracking_uploaded: boolean;
  invoice_amount: number | null;
  invoice_currency_code: string | null;
}

export interface Order {
  id: number;
  created_date: string;
  purchase_date: string | null;
  reference_id: string;
  order_number: string;
  status: OrderStatus;
  type: 'DTC' | 'DropShip' | 'B2B';
  channel: { id: number; name: string };
  shipping_method: string;
  recipient: { name: string; email: string | null; phone_number: string | null; address: Address };
  products: OrderLine[];
  tags: Array<{ name: string; value: string }>;
  shipments: Shipment[];
  financials: { total_price: number | null };
  gift_message: string | null;
  last_update_at: string;
}

export interface ReceivingOrder {
  id: number;
  purchase_order_number: string | null;
  status: string;
  package_type: string;
  box_packaging_type: string;
  expected_arrival_date: string;
  insert_date: string;
  last_updated_date: string;
  fulfillment_center: { id: number; name: string };
  status_history: Array<{ id: number; status: string; timestamp: string }>;
  inventory_quantities: Array<{ inventory_id: number; sku: string; expected_quantity: number; received_quantity: number; stowed_quantity: number }>;
  boxes: Array<{ tracking_number: string; box_items: Array<{ inventory_id: number; quantity: number; lot_number?: string | null; lot_date?: string | null }> }>;
  box_labels_uri: string;
  external_sync_timestamp: string | null;
}

/** OpenAPI 2026-01 components.schemas.Billing.TransactionDtoV3 (POST /transactions:query items; billing.* webhook bodies, UNCONFIRMED). */
export interface Transaction {
  transaction_id: string;
  amount: number;
  currency_code: string;
  charge_date: string;
  invoice_id: number | null;
  invoice_date: string | null;
  invoice_type: string;
  /** Billing.TransactionDtoV3: a boolean. */
  invoiced_status: boolean;
  reference_id: string;
  reference_type: 'Shipment' | 'Return' | 'WRO' | 'URO';
  transaction_fee: string;
  transaction_type: 'Charge' | 'Refund' | 'Credit' | 'Payment' | 'BalanceAdjustment';
  /** Billing.TransactionDtoV3: the center's name or code, a string. */
  fulfillment_center: string;
  additional_details: Record<string, unknown>;
  taxes: Array<{ tax_type: string; tax_rate: number; tax_amount: number }>;
}

export interface WebhookSubscription {
  id: string;
  url: string;
  topics: WebhookTopic[];
  description: string | null;
  secret: string;
  enabled: boolean;
  created_at: string;
}

export interface CancellationRecord {
  at: string;
  order_id: number;
  status: 'Success' | 'Failure' | 'PartialSuccess';
  canceled_shipment_results: Array<{ shipment_id: number; action: string; is_success: boolean; reason: string | null }>;
}
