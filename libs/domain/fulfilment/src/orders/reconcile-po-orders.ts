import { lineReferenceId } from './plan-po-orders';
import type { OrderAction, OrderState, PoPlan, Reconciliation } from './po-order.types';

/**
 * Compares what the PO should have (the plan) with what was already requested (the state) and says what to send:
 * nothing for an unchanged order; for a new group a create at revision 0; for a changed one a cancel of the old
 * reference then a create at revision + 1 that supersedes it; for a group that is gone (lines cancelled, moved to
 * another fulfillment center) a cancel. Groups or rows holding an unmappable line are left alone. Pure.
 */
export function reconcileOrders(poHeaderId: string, plan: PoPlan, state: readonly OrderState[]): Reconciliation {
  const actions: OrderAction[] = [];
  const next = new Map<string, OrderState>(state.map((s) => [s.groupKey, { ...s }]));
  const refreshed = new Set<string>();
  const held = (s: OrderState): boolean => plan.heldGroups.has(s.groupKey) || s.lineIds.some((id) => plan.heldLines.has(id));

  // Gone: an active order whose group the PO no longer wants.
  for (const s of state) {
    if (s.state !== 'active' || plan.desired.has(s.groupKey) || held(s)) continue;
    actions.push({ action: 'cancel', previous: s, reason: 'the PO line(s) were cancelled or moved' });
    next.set(s.groupKey, { ...s, state: 'cancelled' });
  }

  for (const [groupKey, order] of plan.desired) {
    const s = next.get(groupKey);
    if (s && held(s)) continue;
    if (!s) {
      const referenceId = lineReferenceId({ poHeaderId }, groupKey, 0);
      actions.push({ action: 'create', order, referenceId, revision: 0, supersedesReferenceId: null, reason: null });
      next.set(groupKey, {
        groupKey,
        referenceId,
        revision: 0,
        contentHash: order.contentHash,
        state: 'active',
        lineIds: order.lineIds,
        fulfillmentCenterId: order.fulfillmentCenterId,
        sourceHash: order.sourceHash,
      });
      continue;
    }
    if (s.state === 'active' && s.contentHash === order.contentHash) {
      // Same order: nothing to send; a row stored before the source hash was kept learns it now.
      if (s.sourceHash !== order.sourceHash) {
        next.set(groupKey, { ...s, sourceHash: order.sourceHash });
        refreshed.add(groupKey);
      }
      continue;
    }
    const revision = s.revision + 1;
    const referenceId = lineReferenceId({ poHeaderId }, groupKey, revision);
    let supersedes: string | null = null;
    if (s.state === 'active') {
      actions.push({ action: 'cancel', previous: s, reason: `superseded by ${referenceId}: the PO line(s) changed` });
      supersedes = s.referenceId;
    }
    actions.push({
      action: 'create',
      order,
      referenceId,
      revision,
      supersedesReferenceId: supersedes,
      reason: supersedes ? `the PO line(s) changed; replaces ${supersedes}` : 'the PO line(s) were reinstated',
    });
    next.set(groupKey, {
      groupKey,
      referenceId,
      revision,
      contentHash: order.contentHash,
      state: 'active',
      lineIds: order.lineIds,
      fulfillmentCenterId: order.fulfillmentCenterId,
      sourceHash: order.sourceHash,
    });
  }

  const changed = new Set([...actions.map((a) => (a.action === 'cancel' ? a.previous.groupKey : a.order.groupKey)), ...refreshed]);
  return { actions, nextState: [...next.values()].filter((s) => changed.has(s.groupKey)) };
}

/**
 * The reference an unmappable line's order would get (what its exception names, so the later success resolves it):
 * revision 0 for a new group, the next revision for one that already has an order.
 */
export function pendingReferenceId(poHeaderId: string, groupKey: string, state: readonly OrderState[]): string {
  const s = state.find((x) => x.groupKey === groupKey);
  return lineReferenceId({ poHeaderId }, groupKey, s ? s.revision + 1 : 0);
}
