/**
 * Requested cost of our order queries, by Shopify's documented rule
 * (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits, shopify.md §3.2): scalars and enums 0,
 * every object 1, a connection 2 + first × its node. Counted over ORDER_FIELDS (shopify.queries.ts): change both
 * together. The Shopify sandbox computes the same number from its own description of the selection; the contract
 * spec checks that the two agree.
 *
 * UNCONFIRMED: non-connection lists of objects (`taxLines`, `discountAllocations`) have no documented rule; we take
 * the stricter reading, `assumedListLength` × the element (default 2, as the sandbox). When a shop still answers
 * MAX_COST_EXCEEDED the client halves the page (ShopifyClient), so a wrong guess costs a retry, not the read.
 */
export const SHOPIFY_MAX_QUERY_COST = 1000;
export const SHOPIFY_ASSUMED_LIST_LENGTH = 2;

/** A `*Set` MoneyBag (1) and the `shopMoney` MoneyV2 inside it (1). */
const MONEY_BAG = 2;
/** TaxLine (1) + priceSet. */
const TAX_LINE = 1 + MONEY_BAG;
/** DiscountAllocation (1) + allocatedAmountSet. */
const DISCOUNT_ALLOCATION = 1 + MONEY_BAG;
/** subtotal, total, totalTax, totalShipping, currentSubtotal, currentTotal, currentTotalTax, totalRefunded, totalOutstanding, totalDiscounts. */
const ORDER_MONEY_BAGS = 10;

export interface OrderSelectionSize {
  lineItemsFirst: number;
  shippingLinesFirst: number;
  /** Elements assumed per non-connection list (UNCONFIRMED rule, see above). */
  listLength?: number;
}

/** One LineItem node: the item, its unit price, tax lines and discount allocations. */
export function lineItemNodeCost(listLength = SHOPIFY_ASSUMED_LIST_LENGTH): number {
  return 1 + MONEY_BAG + listLength * TAX_LINE + listLength * DISCOUNT_ALLOCATION;
}

/** One ShippingLine node: the line, its original and discounted prices, tax lines. */
export function shippingLineNodeCost(listLength = SHOPIFY_ASSUMED_LIST_LENGTH): number {
  return 1 + 2 * MONEY_BAG + listLength * TAX_LINE;
}

/** One order node: the order, its money bags, tax lines, customer, two addresses and the two connections. */
export function orderNodeCost({ lineItemsFirst, shippingLinesFirst, listLength = SHOPIFY_ASSUMED_LIST_LENGTH }: OrderSelectionSize): number {
  const lineItem = lineItemNodeCost(listLength);
  const shippingLine = shippingLineNodeCost(listLength);
  return (
    1 + // the order
    ORDER_MONEY_BAGS * MONEY_BAG +
    listLength * TAX_LINE +
    1 + // customer
    2 + // shippingAddress, billingAddress
    (2 + lineItemsFirst * lineItem) +
    (2 + shippingLinesFirst * shippingLine)
  );
}

/** OrdersUpdatedSince with `first` orders: the orders connection, 2 + first × order. */
export function ordersPageCost(first: number, size: OrderSelectionSize): number {
  return 2 + first * orderNodeCost(size);
}

export interface OrderPagePlan {
  first: number;
  lineItemsFirst: number;
}

/**
 * The largest page (≤ `maxFirst` orders, ≤ `lineItemsFirst` line items each) whose requested cost fits `maxCost`:
 * fewer orders first; line items shrink only when one order alone does not fit. Never below 1 and 1 (the shop then
 * decides).
 */
export function planOrdersPage(maxFirst: number, size: OrderSelectionSize, maxCost = SHOPIFY_MAX_QUERY_COST): OrderPagePlan {
  let lineItemsFirst = Math.max(1, size.lineItemsFirst);
  while (lineItemsFirst > 1 && ordersPageCost(1, { ...size, lineItemsFirst }) > maxCost) lineItemsFirst--;
  const perOrder = orderNodeCost({ ...size, lineItemsFirst });
  const first = Math.max(1, Math.min(maxFirst, Math.floor((maxCost - 2) / perOrder)));
  return { first, lineItemsFirst };
}

/** OrderById: the most line items (≤ `lineItemsFirst`, ≥ 1) whose order fits `maxCost`. */
export function planOrderById(size: OrderSelectionSize, maxCost = SHOPIFY_MAX_QUERY_COST): number {
  let lineItemsFirst = Math.max(1, size.lineItemsFirst);
  while (lineItemsFirst > 1 && orderNodeCost({ ...size, lineItemsFirst }) > maxCost) lineItemsFirst--;
  return lineItemsFirst;
}

/** Which connection of one order OrderLineItems / OrderShippingLines pages. */
export type OrderItemsKind = 'lineItems' | 'shippingLines';

/** OrderLineItems / OrderShippingLines with `first` nodes: the order object (1) and the connection, 2 + first × node. */
export function orderItemsPageCost(kind: OrderItemsKind, first: number, listLength = SHOPIFY_ASSUMED_LIST_LENGTH): number {
  const node = kind === 'lineItems' ? lineItemNodeCost(listLength) : shippingLineNodeCost(listLength);
  return 1 + 2 + first * node;
}

/** The most nodes (≤ `maxFirst`, ≥ 1) of an OrderLineItems / OrderShippingLines page that fit `maxCost`. */
export function planOrderItemsPage(kind: OrderItemsKind, maxFirst: number, listLength = SHOPIFY_ASSUMED_LIST_LENGTH, maxCost = SHOPIFY_MAX_QUERY_COST): number {
  const node = kind === 'lineItems' ? lineItemNodeCost(listLength) : shippingLineNodeCost(listLength);
  return Math.max(1, Math.min(maxFirst, Math.floor((maxCost - 3) / node)));
}
