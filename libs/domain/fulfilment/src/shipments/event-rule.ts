/**
 * The tenant's `shipbob-event-rule` mapping value (webhook topic → what to do with the PO), mirrored here so the
 * pure rules need no dependency on the tenants library (libs/tenants tenants.types.ts `EventRuleValue`).
 */
export type PoAction = 'ignore' | 'mark-shipped' | 'mark-delivered' | 'mark-exception' | 'mark-on-hold' | 'mark-cancelled' | 'receive';

export interface EventRuleValue {
  action: PoAction;
  note?: string;
}
