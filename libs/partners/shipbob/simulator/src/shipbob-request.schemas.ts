/**
 * What ShipBob's published OpenAPI (API version 2026-01) says each request the product makes may carry: per
 * operation, the allowed body properties and query parameters, which are required, their types, bounds and enums.
 * Facts only, written out by hand from the document; each list names the path and schema it comes from.
 *
 * Source: ShipBob's OpenAPI document for 2026-01, as vendored in https://github.com/brianzinn/shipbob-node-sdk
 * (file openapi-2026-01.json, commit 8a10229); the same operations are rendered on
 * https://developer.shipbob.com/api (2026-01 reference). Every schema of that document declares
 * `additionalProperties: false` (see shipbob-request.validator.ts for what the sandbox makes of it).
 */

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

export interface FieldSpec {
  type: FieldType;
  nullable?: boolean;
  enum?: readonly string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: RegExp;
  format?: 'date-time' | 'uri' | 'email';
  /** type 'object': its schema. */
  object?: ObjectSpec;
  /** type 'object': one of these schemas (OpenAPI `oneOf`). */
  oneOf?: readonly ObjectSpec[];
  /** type 'array': the item. */
  items?: FieldSpec;
  minItems?: number;
}

export interface ObjectSpec {
  /** The OpenAPI schema name, e.g. `Orders.CreateOrderModel`. */
  name: string;
  required: readonly string[];
  properties: Readonly<Record<string, FieldSpec>>;
}

/** Query parameters of one GET (or POST) operation: name -> spec; names are case-insensitive (ASP.NET binding). */
export type QuerySpec = Readonly<Record<string, FieldSpec>>;

export interface OperationSpec {
  /** e.g. `OpenAPI 2026-01 paths./2026-01/order.post requestBody Orders.CreateOrderModel`. */
  source: string;
  body?: ObjectSpec;
  query?: QuerySpec;
}

const INT32_MAX = 2_147_483_647;
const str = (extra: Omit<FieldSpec, 'type'> = {}): FieldSpec => ({ type: 'string', ...extra });
const int = (extra: Omit<FieldSpec, 'type'> = {}): FieldSpec => ({ type: 'integer', ...extra });
const obj = (object: ObjectSpec, extra: Omit<FieldSpec, 'type' | 'object'> = {}): FieldSpec => ({ type: 'object', object, ...extra });
const arr = (items: FieldSpec, extra: Omit<FieldSpec, 'type' | 'items'> = {}): FieldSpec => ({ type: 'array', items, ...extra });
const dateTime = (extra: Omit<FieldSpec, 'type'> = {}): FieldSpec => str({ format: 'date-time', ...extra });

// ------------------------------------------------------------------------------------------------ enums

/** components.schemas.Orders.OrderType */
export const ORDER_TYPES = ['DTC', 'DropShip', 'B2B'] as const;
/** components.schemas.Orders.SalesChannel */
export const SALES_CHANNELS = [
  'amazon',
  'bigcommerce',
  'ebay',
  'faire',
  'macy',
  'magento',
  'shein',
  'shopify',
  'squarespace',
  'targetplus',
  'temu',
  'tiktok',
  'unleashed',
  'walmart',
  'woocommerce',
] as const;
/** components.schemas.Orders.AddressType */
export const ADDRESS_TYPES = ['MarkFor', 'ShipFrom'] as const;
/** components.schemas.Orders.CarrierShipType / Orders.PaymentShipTerm */
export const CARRIER_TYPES = ['Parcel', 'Freight'] as const;
export const PAYMENT_TERMS = ['Collect', 'ThirdParty', 'Prepaid', 'MerchantResponsible'] as const;
/** components.schemas.Receiving.PackageType / Receiving.PackingType */
export const PACKAGE_TYPES = ['Package', 'Pallet', 'FloorLoadedContainer'] as const;
export const BOX_PACKAGING_TYPES = ['EverythingInOneBox', 'OneSkuPerBox', 'MultipleSkuPerBox'] as const;
/** components.schemas.Receiving.ReceivingStatus (GET /receiving Statuses) */
export const RECEIVING_STATUSES = [
  'Awaiting',
  'Processing',
  'Completed',
  'Cancelled',
  'Incomplete',
  'Arrived',
  'PartiallyArrived',
  'PartiallyArrivedAtHub',
  'ArrivedAtHub',
  'ProcessingAtHub',
  'InternalTransfer',
] as const;
/** Billing.TransactionRequestFilterV3 reference_types / transaction_types items, Billing.SortOrder */
export const BILLING_REFERENCE_TYPES = ['Shipment', 'Return', 'WRO', 'URO'] as const;
export const BILLING_TRANSACTION_TYPES = ['Charge', 'Refund', 'Credit', 'Payment', 'BalanceAdjustment'] as const;
export const BILLING_SORT_ORDERS = ['Ascending', 'Descending'] as const;
/** components.schemas.Webhooks.Topics */
export const WEBHOOK_TOPICS_2026_01 = [
  'order.shipped',
  'order.shipment.delivered',
  'order.shipment.exception',
  'order.shipment.on_hold',
  'order.shipment.cancelled',
  'return.created',
  'return.updated',
  'return.completed',
  'billing.charge.created',
  'billing.refund.created',
  'billing.credit.created',
] as const;
/** Webhooks.V2.CreateSubscriptionRequest.secret pattern */
export const WEBHOOK_SECRET_SCHEMA_PATTERN = /^whsec_[a-zA-Z0-9+/]{32}$/;

// ------------------------------------------------------------------------------------------------ POST /order

/** components.schemas.Orders.AddressViewModel */
const ADDRESS: ObjectSpec = {
  name: 'Orders.AddressViewModel',
  required: ['address1', 'city', 'country'],
  properties: {
    address1: str({ minLength: 1 }),
    address2: str({ nullable: true }),
    city: str({ minLength: 1 }),
    company_name: str({ nullable: true }),
    country: str({ minLength: 1 }),
    state: str({ nullable: true }),
    zip_code: str({ nullable: true }),
  },
};

/** components.schemas.Orders.RetailerProgramDataAddressViewModel (allOf Orders.AddressViewModel + type) */
const RETAILER_ADDRESS: ObjectSpec = {
  name: 'Orders.RetailerProgramDataAddressViewModel',
  required: [...ADDRESS.required, 'type'],
  properties: { ...ADDRESS.properties, type: str({ enum: ADDRESS_TYPES }) },
};

/** components.schemas.Orders.RecipientInfoViewModel */
const RECIPIENT: ObjectSpec = {
  name: 'Orders.RecipientInfoViewModel',
  required: ['address', 'name'],
  properties: {
    address: { type: 'object', oneOf: [ADDRESS, RETAILER_ADDRESS] },
    email: str({ format: 'email', nullable: true }),
    name: str({ minLength: 1, maxLength: 300 }),
    phone_number: str({ maxLength: 50, nullable: true }),
  },
};

/** components.schemas.Orders.AddProductToOrderModel (the part both product models share) */
const ADD_PRODUCT_BASE = {
  external_line_id: int({ nullable: true }),
  quantity: int({ minimum: 1, maximum: INT32_MAX }),
  quantity_unit_of_measure_code: str({ nullable: true }),
} satisfies Record<string, FieldSpec>;

/**
 * components.schemas.Orders.AddProductToOrderByReferenceIdModel. `name` is in the schema's required list (and is
 * nullable); ShipBob's guides say it is only needed when no product with that reference_id exists (ShipBob then
 * creates one). Which of the two ShipBob enforces is the sandbox switch `productName`.
 */
export const PRODUCT_BY_REFERENCE: ObjectSpec = {
  name: 'Orders.AddProductToOrderByReferenceIdModel',
  required: ['quantity', 'reference_id', 'name'],
  properties: {
    ...ADD_PRODUCT_BASE,
    gtin: str({ minLength: 0, maxLength: 50, nullable: true }),
    name: str({ nullable: true }),
    reference_id: str({ minLength: 1 }),
    sku: str({ nullable: true }),
    unit_price: { type: 'number', nullable: true },
    upc: str({ minLength: 0, maxLength: 50, nullable: true }),
  },
};

/**
 * components.schemas.Orders.AddProductToOrderByProductIdModel. Its required list is `product_id, id, quantity`, but
 * `product_id` is not among its properties (so with additionalProperties false no body could satisfy it). The
 * sandbox requires `id` and `quantity` (UNCONFIRMED; shared/reference/shipbob.md §4 reads it the same way).
 */
export const PRODUCT_BY_ID: ObjectSpec = {
  name: 'Orders.AddProductToOrderByProductIdModel',
  required: ['id', 'quantity'],
  properties: { ...ADD_PRODUCT_BASE, id: int() },
};

/** components.schemas.Orders.RetailerProgramDataViewModel (its required list names the camelCase spellings of the two snake_case properties; the sandbox requires the properties) */
const RETAILER_PROGRAM_DATA: ObjectSpec = {
  name: 'Orders.RetailerProgramDataViewModel',
  required: ['purchase_order_number', 'retailer_program_type'],
  properties: {
    addresses: arr(obj(RETAILER_ADDRESS), { nullable: true }),
    customer_ticket_number: str({ nullable: true }),
    delivery_date: dateTime({ nullable: true }),
    department: str({ nullable: true }),
    doNotShipBeforeDate: dateTime({ nullable: true }),
    mark_for_store: str({ nullable: true }),
    purchase_order_number: str({ minLength: 1 }),
    retailer_program_type: str({ minLength: 1 }),
    shipByDate: dateTime({ nullable: true }),
  },
};

/** OpenAPI 2026-01 paths./2026-01/order.post requestBody Orders.CreateOrderModel */
export const CREATE_ORDER: ObjectSpec = {
  name: 'Orders.CreateOrderModel',
  required: ['products', 'recipient', 'reference_id', 'shipping_method', 'type'],
  properties: {
    financials: obj({ name: 'Orders.Financials', required: [], properties: { total_price: { type: 'number', nullable: true } } }),
    gift_message: str({ maxLength: 500, nullable: true }),
    location_id: int({ nullable: true }),
    order_number: str({ maxLength: 400, nullable: true }),
    origin_platform_program: str({ maxLength: 100, nullable: true }),
    products: arr({ type: 'object', oneOf: [PRODUCT_BY_REFERENCE, PRODUCT_BY_ID] }, { minItems: 1 }),
    purchase_date: dateTime({ nullable: true }),
    recipient: obj(RECIPIENT),
    reference_id: str({ minLength: 1, maxLength: 300 }),
    requested_delivery_date: dateTime({ nullable: true }),
    retailer_program_data: obj(RETAILER_PROGRAM_DATA),
    sales_channel: str({ enum: SALES_CHANNELS }),
    shipping_method: str({ minLength: 1 }),
    shipping_terms: obj({
      name: 'Orders.ShippingTermsViewModel',
      required: [],
      properties: { carrier_type: str({ enum: CARRIER_TYPES }), payment_term: str({ enum: PAYMENT_TERMS }) },
    }),
    tags: arr(
      obj({
        name: 'Orders.TagViewModel',
        required: ['name', 'value'],
        properties: { name: str({ minLength: 1, maxLength: 50 }), value: str({ minLength: 1, maxLength: 500 }) },
      }),
      {
        nullable: true,
      },
    ),
    type: str({ enum: ORDER_TYPES }),
  },
};

// ------------------------------------------------------------------------------------------------ other bodies

/** OpenAPI 2026-01 paths./2026-01/receiving.post requestBody Receiving.CreateReceivingOrderModel */
export const CREATE_RECEIVING: ObjectSpec = {
  name: 'Receiving.CreateReceivingOrderModel',
  required: ['box_packaging_type', 'boxes', 'expected_arrival_date', 'fulfillment_center', 'package_type'],
  properties: {
    box_packaging_type: str({ enum: BOX_PACKAGING_TYPES }),
    boxes: arr(
      obj({
        name: 'Receiving.AddBoxToOrderModel',
        required: ['box_items', 'tracking_number'],
        properties: {
          box_items: arr(
            obj({
              name: 'Receiving.AddBoxItemToBoxModel',
              required: ['inventory_id', 'quantity'],
              properties: {
                inventory_id: int(),
                lot_date: dateTime({ nullable: true }),
                lot_number: str({ nullable: true }),
                quantity: int({ minimum: 1, maximum: INT32_MAX }),
              },
            }),
            { nullable: true },
          ),
          tracking_number: str({ nullable: true }),
        },
      }),
      { nullable: true },
    ),
    expected_arrival_date: dateTime(),
    fulfillment_center: obj({ name: 'Receiving.AssignOrderToFulfillmentCenterModel', required: ['id'], properties: { id: int() } }),
    package_type: str({ enum: PACKAGE_TYPES }),
    purchase_order_number: str({ nullable: true }),
  },
};

/** OpenAPI 2026-01 paths./2026-01/transactions:query.post requestBody Billing.TransactionRequestFilterV3 */
export const TRANSACTIONS_QUERY: ObjectSpec = {
  name: 'Billing.TransactionRequestFilterV3',
  required: [],
  properties: {
    from_date: dateTime({ nullable: true }),
    invoice_ids: arr(str(), { nullable: true }),
    invoiced_status: { type: 'boolean', nullable: true },
    page_size: int(),
    reference_ids: arr(str(), { nullable: true }),
    reference_types: arr(str({ enum: BILLING_REFERENCE_TYPES }), { nullable: true }),
    sort_order: str({ enum: BILLING_SORT_ORDERS }),
    to_date: dateTime({ nullable: true }),
    transaction_fees: arr(str(), { nullable: true }),
    transaction_types: arr(str({ enum: BILLING_TRANSACTION_TYPES }), { nullable: true }),
  },
};

/** OpenAPI 2026-01 paths./2026-01/webhook.post requestBody Webhooks.V2.CreateSubscriptionRequest */
export const CREATE_WEBHOOK: ObjectSpec = {
  name: 'Webhooks.V2.CreateSubscriptionRequest',
  required: ['topics', 'url'],
  properties: {
    description: str({ nullable: true }),
    secret: str({ pattern: WEBHOOK_SECRET_SCHEMA_PATTERN, nullable: true }),
    topics: arr(str({ enum: WEBHOOK_TOPICS_2026_01 }), { minItems: 1 }),
    url: str({ format: 'uri' }),
  },
};

/** One step of a sandbox simulation, `next` chaining the following one. */
const SIMULATION: ObjectSpec = { name: 'Simulation.SimulationAction', required: ['action'], properties: {} };
(SIMULATION as { properties: Record<string, FieldSpec> }).properties = {
  action: str({ enum: ['ShipOrder', 'DeliverOrder'] }),
  delay: int({ nullable: true, minimum: 0 }),
  next: obj(SIMULATION, { nullable: true }),
};

// ------------------------------------------------------------------------------------------------ operations

/**
 * Every operation the product calls (ShipbobClient, the e2e harness and the webhook set-up), keyed `METHOD path`
 * with path parameters as `{name}`. Operations without a body or query spec accept none.
 */
export const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  'GET /channel': {
    source: 'OpenAPI 2026-01 paths./2026-01/channel.get parameters',
    query: { RecordsPerPage: int(), Cursor: str() },
  },
  'POST /order': { source: 'OpenAPI 2026-01 paths./2026-01/order.post requestBody Orders.CreateOrderModel', body: CREATE_ORDER },
  'GET /order': {
    source: 'OpenAPI 2026-01 paths./2026-01/order.get parameters',
    query: {
      Page: int({ minimum: 1, maximum: INT32_MAX }),
      Limit: int({ minimum: 1, maximum: 250 }),
      IDs: str(),
      ReferenceIds: str(),
      StartDate: dateTime(),
      EndDate: dateTime(),
      SortOrder: str(),
      HasTracking: { type: 'boolean' },
      LastUpdateStartDate: dateTime(),
      LastUpdateEndDate: dateTime(),
      IsTrackingUploaded: { type: 'boolean' },
      LastTrackingUpdateStartDate: dateTime(),
      LastTrackingUpdateEndDate: dateTime(),
    },
  },
  'GET /order/{orderId}': { source: 'OpenAPI 2026-01 paths./2026-01/order/{orderId}.get (no query parameters)' },
  'POST /order/{orderId}:cancel': { source: 'OpenAPI 2026-01 paths./2026-01/order/{orderId}:cancel.post (no request body)' },
  'GET /order/{orderId}/shipment': { source: 'OpenAPI 2026-01 paths./2026-01/order/{orderId}/shipment.get (no query parameters)' },
  'GET /shipment/{shipmentId}': { source: 'OpenAPI 2026-01 paths./2026-01/shipment/{shipmentId}.get (no query parameters)' },
  'GET /product': {
    source:
      "OpenAPI 2026-01 paths./2026-01/product.get parameters (+ Cursor: the paging parameter of the sandbox's own `next` links; the document lists none, UNCONFIRMED)",
    query: Object.fromEntries(
      [
        'Search',
        'Barcode',
        'Barcodes',
        'CategoryIds',
        'ChannelIds',
        'HasDigitalVariants',
        'HasVariants',
        'InventoryId',
        'IsInventorySyncEnabled',
        'LastUpdatedTimestamp',
        'LegacyIds',
        'Name',
        'OnHand',
        'PlatformIds',
        'ProductId',
        'ProductType',
        'ReviewsPending',
        'SalesChannel',
        'SellerSKU',
        'SKU',
        'TaxonomyIds',
        'VariantId',
        'VariantStatus',
        'SortBy',
        'SortOrder',
        'Cursor',
      ]
        .map((n) => [n, str()] as const)
        .concat([['PageSize', int({ minimum: 1, maximum: 250 })]]),
    ),
  },
  'GET /location': {
    source: 'OpenAPI 2026-01 paths./2026-01/location.get parameters',
    query: { IncludeInactive: { type: 'boolean' }, ReceivingEnabled: { type: 'boolean' }, AccessGranted: { type: 'boolean' } },
  },
  'GET /fulfillment-center': { source: 'OpenAPI 2026-01 paths./2026-01/fulfillment-center.get (no query parameters)' },
  'POST /receiving': { source: 'OpenAPI 2026-01 paths./2026-01/receiving.post requestBody Receiving.CreateReceivingOrderModel', body: CREATE_RECEIVING },
  'GET /receiving': {
    source: 'OpenAPI 2026-01 paths./2026-01/receiving.get parameters',
    query: {
      Page: int({ minimum: 1 }),
      Limit: int({ minimum: 1 }),
      IDs: str(),
      Statuses: str(),
      InsertStartDate: dateTime(),
      InsertEndDate: dateTime(),
      FulfillmentCenterIds: str(),
      PurchaseOrderNumbers: str(),
      ExternalSync: { type: 'boolean' },
      CompletedStartDate: dateTime(),
      CompletedEndDate: dateTime(),
    },
  },
  'GET /receiving/{id}': { source: 'OpenAPI 2026-01 paths./2026-01/receiving/{id}.get (no query parameters)' },
  'POST /receiving/{id}:cancel': { source: 'OpenAPI 2026-01 paths./2026-01/receiving/{id}:cancel.post (no request body)' },
  'POST /transactions:query': {
    source: 'OpenAPI 2026-01 paths./2026-01/transactions:query.post parameters (Cursor) + requestBody Billing.TransactionRequestFilterV3',
    body: TRANSACTIONS_QUERY,
    query: { Cursor: str() },
  },
  'POST /webhook': { source: 'OpenAPI 2026-01 paths./2026-01/webhook.post requestBody Webhooks.V2.CreateSubscriptionRequest', body: CREATE_WEBHOOK },
  'GET /webhook': {
    source: 'OpenAPI 2026-01 paths./2026-01/webhook.get parameters',
    query: { RecordsPerPage: int({ minimum: 1, maximum: 250 }), Cursor: str() },
  },
  'DELETE /webhook/{id}': { source: 'OpenAPI 2026-01 paths./2026-01/webhook/{id}.delete (no body, no query parameters)' },
  'POST /simulate/shipment': {
    source: 'Sandbox-only simulation: shared/reference/shipbob.md §12 (api-evangelist/shipbob openapi/shipbob-openapi.json; not in the SDK copy of 2026-01)',
    body: {
      name: 'Simulation.SimulateShipmentRequest',
      required: ['shipment_id', 'simulation'],
      properties: { shipment_id: int(), simulation: obj(SIMULATION) },
    },
  },
};

/**
 * The token endpoint is OAuth 2.0's (not in the OpenAPI paths): form fields of RFC 6749 §4.1.3 (authorization_code)
 * and §6 (refresh_token), https://www.rfc-editor.org/rfc/rfc6749, with the client authenticating in the body as
 * https://developer.shipbob.com/auth describes.
 */
export const TOKEN_FORM: Readonly<Record<string, readonly string[]>> = {
  authorization_code: ['grant_type', 'code', 'redirect_uri', 'client_id', 'client_secret'],
  refresh_token: ['grant_type', 'refresh_token', 'scope', 'redirect_uri', 'client_id', 'client_secret'],
};
