/**
 * Deterministic idempotency keys of receivables commands (never derived from event ids): a replayed or republished
 * command carries the same key, and the writer finds what it already did by it.
 */
export const receivablesKeys = {
  customer: (shop: string, customerId: string, updatedAt: string | null) => `${shop}:customer:${customerId}:${updatedAt ?? '0'}`,
  invoice: (shop: string, orderId: string) => `${shop}:order:${orderId}:invoice`,
  amendment: (shop: string, orderId: string, revision: number) => `${shop}:order:${orderId}:amend:${revision}`,
  paid: (shop: string, orderId: string) => `${shop}:order:${orderId}:paid`,
  /** One per order: an order is cancelled once. */
  cancellation: (shop: string, orderId: string) => `${shop}:order:${orderId}:cancel`,
  refund: (shop: string, orderId: string, refundId: string) => `${shop}:order:${orderId}:refund:${refundId}`,
};
