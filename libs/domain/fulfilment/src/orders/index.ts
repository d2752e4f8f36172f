export type * from './po-order.types';
export { planPurchaseOrder, isCancelled, isReleased, wholeUnits, lineReferenceId, unchangedSinceOrder } from './plan-po-orders';
export { reconcileOrders, pendingReferenceId } from './reconcile-po-orders';
export { parseOneLineAddress, readOneLineAddress, toRecipient, type OneLineAddressRead } from './ship-to-address';
export { isOlderLastUpdate } from './last-update-date';
