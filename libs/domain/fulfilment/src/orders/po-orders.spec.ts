import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseReferenceId } from '../reference-id';
import { planPurchaseOrder, unchangedSinceOrder, wholeUnits } from './plan-po-orders';
import { pendingReferenceId, reconcileOrders } from './reconcile-po-orders';
import { parseOneLineAddress, toRecipient } from './ship-to-address';
import type { OrderState, PoMappingConfig, PurchaseOrderInput } from './po-order.types';

const ADDRESS = '1 Dock Road, Seattle, WA 98101, US';

function po(over: Partial<PurchaseOrderInput> = {}): PurchaseOrderInput {
  return {
    poHeaderId: '300100',
    orderNumber: '1001',
    status: 'Open',
    lastUpdateDate: '2026-01-05T10:00:00+00:00',
    supplier: 'Acme Supply',
    supplierSite: 'ACME-MAIN',
    shipToLocationCode: 'Seattle',
    shipToAddress: ADDRESS,
    lines: [
      {
        poLineId: '11',
        lineNumber: '1',
        itemNumber: 'AS54888',
        description: ' Pallet jack, manual ',
        quantity: '5',
        uom: 'Each',
        status: 'Open',
        shipToLocationCode: 'Seattle',
      },
      { poLineId: '12', lineNumber: '2', itemNumber: 'AS54999', quantity: '3.0', uom: 'Each', status: 'Open', shipToLocationCode: 'Seattle' },
      { poLineId: '13', lineNumber: '3', itemNumber: 'CM-100', quantity: '2', uom: 'Each', status: 'Open', shipToLocationCode: 'Chicago' },
    ],
    ...over,
  };
}

function cfg(over: Partial<PoMappingConfig> = {}): PoMappingConfig {
  return {
    configVersion: 7,
    orderGrouping: 'per-po-line',
    itemProduct: { AS54888: { shipbobSku: 'SKU-1' }, AS54999: { shipbobSku: 'SKU-2' }, 'CM-100': { shipbobProductId: 1001 } },
    shipToFc: { Seattle: { fulfillmentCenterId: 8 } },
    supplierFc: { 'ACME-MAIN': { fulfillmentCenterId: 10 } },
    ...over,
  };
}

/** Applies a reconciliation to a state list, as the mapper does after publishing. */
function apply(state: OrderState[], next: OrderState[]): OrderState[] {
  const m = new Map(state.map((s) => [s.groupKey, s]));
  for (const s of next) m.set(s.groupKey, s);
  return [...m.values()];
}

describe('purchase-order lines -> ShipBob orders', () => {
  it('maps one order per line: SKU or product id, whole units, ship-to FC then supplier FC, recipient', () => {
    const plan = planPurchaseOrder(po(), cfg());
    assert.deepEqual(plan.issues, []);
    assert.deepEqual([...plan.desired.keys()], ['l11', 'l12', 'l13']);
    const l11 = plan.desired.get('l11')!;
    assert.equal(l11.fulfillmentCenterId, 8);
    assert.deepEqual(l11.products, [
      { poLineId: '11', lineNumber: '1', itemNumber: 'AS54888', sku: 'SKU-1', productId: null, name: 'Pallet jack, manual', quantity: 5, uom: 'Each' },
    ]);
    assert.equal(plan.desired.get('l12')!.products[0]!.name, null, 'a line without a description names no product');
    assert.deepEqual(l11.recipient, {
      name: 'Seattle',
      address1: '1 Dock Road',
      address2: null,
      city: 'Seattle',
      state: 'WA',
      postalCode: '98101',
      country: 'US',
      email: null,
      phone: null,
    });
    assert.equal(plan.desired.get('l12')!.products[0]!.quantity, 3);
    const l13 = plan.desired.get('l13')!;
    assert.equal(l13.fulfillmentCenterId, 10, 'Chicago has no ship-to-fc mapping: the supplier-fc one is used');
    assert.equal(l13.products[0]!.productId, 1001);
  });

  it("an operator's ship-to-address mapping is used before the PO's address, and gets a line through that had none", () => {
    const unreadable = po({ shipToAddress: 'Dock 4 (ask at gate)' });
    const held = planPurchaseOrder(unreadable, cfg());
    assert.deepEqual(
      held.issues.filter((i) => i.code === 'MAPPING.MISSING_RECIPIENT').map((i) => i.mappingKey),
      ['ship-to-address:Seattle', 'ship-to-address:Seattle', 'ship-to-address:Chicago'],
    );
    const reno = { name: 'Reno DC', address1: '100 Dock Rd', city: 'Reno', state: 'NV', postalCode: '89502', country: 'US' };
    const plan = planPurchaseOrder(
      unreadable,
      cfg({ shipToAddress: { Seattle: reno, Chicago: { address1: '5900 W Ogden Ave', city: 'Cicero', country: 'US' } } }),
    );
    assert.deepEqual(plan.issues, []);
    assert.equal(plan.desired.get('l11')!.recipient.name, 'Reno DC');
    assert.equal(plan.desired.get('l13')!.recipient.name, 'Chicago', 'no name in the mapping: the location code');
    // The mapping wins over a readable PO address too.
    assert.equal(planPurchaseOrder(po(), cfg({ shipToAddress: { Seattle: reno } })).desired.get('l11')!.recipient.city, 'Reno');
  });

  it('only lines of a receivable PO in a receivable status become orders; an order made before is left alone', () => {
    const onHold = planPurchaseOrder(po({ status: 'On Hold' }), cfg());
    assert.deepEqual([...onHold.desired.keys()], []);
    assert.deepEqual(onHold.issues, []);
    assert.deepEqual(onHold.linesToFulfil, []);
    const closedLine = po({ lines: po().lines.map((l) => (l.poLineId === '12' ? { ...l, status: 'Closed for Receiving' } : l)) });
    const plan = planPurchaseOrder(closedLine, cfg());
    assert.deepEqual([...plan.desired.keys()], ['l11', 'l13']);
    assert.deepEqual(plan.linesToFulfil, ['11', '13']);
    // Line 12 got its order while Open; closing it (our own receipts, or a buyer) neither cancels nor revises it.
    const before = apply([], reconcileOrders('300100', planPurchaseOrder(po(), cfg()), []).nextState);
    assert.deepEqual(reconcileOrders('300100', plan, before).actions, []);
    assert.deepEqual(reconcileOrders('300100', onHold, before).actions, []);
    // A PO released later (On Hold -> Open) is picked up then.
    assert.deepEqual([...planPurchaseOrder(po({ status: 'Open' }), cfg()).desired.keys()], ['l11', 'l12', 'l13']);
    // A tenant may allow more statuses.
    assert.deepEqual([...planPurchaseOrder(po({ status: 'On Hold' }), cfg({ receivableStatuses: ['Open', 'On Hold'] })).desired.keys()], ['l11', 'l12', 'l13']);
    // A cancelled line still cancels its order.
    const cancelled = po({ lines: po().lines.map((l) => (l.poLineId === '12' ? { ...l, status: 'Canceled' } : l)) });
    assert.deepEqual(
      reconcileOrders('300100', planPurchaseOrder(cancelled, cfg()), before).actions.map((a) => a.action),
      ['cancel'],
    );
  });

  it('a problem on a line whose order stands and whose Fusion side is unchanged is not raised again under a new revision', () => {
    const state = apply([], reconcileOrders('300100', planPurchaseOrder(po(), cfg()), []).nextState);
    assert.ok(
      state.every((x) => x.sourceHash),
      'the order rows keep the Fusion side of their lines',
    );
    // LastUpdateDate moved, and the address no longer reads (e.g. the original event after an operator's corrected
    // replay): the orders stand, nothing changed on Fusion's side, so nothing is raised and nothing is sent.
    const later = po({ lastUpdateDate: '2026-01-06T10:00:00+00:00', shipToAddress: 'Dock 4, ask at the gate' });
    const plan = planPurchaseOrder(later, cfg());
    assert.equal(plan.issues.length, 3);
    assert.deepEqual(
      plan.issues.map((i) => unchangedSinceOrder(plan, state, i.poLineId)),
      [true, true, true],
    );
    assert.deepEqual(reconcileOrders('300100', plan, state).actions, []);
    // A real change on Fusion's side (quantity) with the address still unreadable is raised, under the next revision.
    const changed = po({ ...later, lines: later.lines.map((l) => (l.poLineId === '11' ? { ...l, quantity: '6' } : l)) });
    const plan2 = planPurchaseOrder(changed, cfg());
    assert.deepEqual(
      plan2.issues.filter((i) => !unchangedSinceOrder(plan2, state, i.poLineId)).map((i) => pendingReferenceId('300100', i.groupKey!, state)),
      ['po300100-l11-r1'],
    );
    // Rows stored before the source hash was kept: unknown, so the problem is raised (as before).
    const old = state.map(({ sourceHash: _s, ...x }) => x);
    assert.deepEqual(
      plan.issues.map((i) => unchangedSinceOrder(plan, old, i.poLineId)),
      [false, false, false],
    );
  });

  it('groups lines per PO and fulfillment center when the tenant asks for it', () => {
    const plan = planPurchaseOrder(po(), cfg({ orderGrouping: 'per-po-and-fulfillment-center' }));
    assert.deepEqual([...plan.desired.keys()], ['fc8', 'fc10']);
    assert.deepEqual(plan.desired.get('fc8')!.lineIds, ['11', '12']);
    const { actions } = reconcileOrders('300100', plan, []);
    assert.deepEqual(
      actions.map((a) => a.action === 'create' && a.referenceId),
      ['po300100-fc8-r0', 'po300100-fc10-r0'],
    );
    assert.deepEqual(parseReferenceId('po300100-fc8-r0'), { grouping: 'fulfillment-center', poHeaderId: '300100', fulfillmentCenterId: '8', revision: 0 });
  });

  it('turns unmappable lines into issues naming the PO, the line and the missing key, and maps the rest', () => {
    const p = po({
      lines: [
        { poLineId: '11', lineNumber: '1', itemNumber: 'UNKNOWN-9', quantity: '5', shipToLocationCode: 'Seattle' },
        { poLineId: '12', lineNumber: '2', itemNumber: 'AS54999', quantity: '2.5', shipToLocationCode: 'Seattle' },
        { poLineId: '13', lineNumber: '3', itemNumber: 'AS54888', quantity: '0', shipToLocationCode: 'Seattle' },
        { poLineId: '14', lineNumber: '4', itemNumber: 'AS54888', quantity: '4', shipToLocationCode: 'Seattle' },
        { poLineId: '15', lineNumber: '5', itemNumber: null, quantity: '1', shipToLocationCode: 'Seattle' },
      ],
    });
    const plan = planPurchaseOrder(p, cfg());
    assert.deepEqual([...plan.desired.keys()], ['l14']);
    assert.deepEqual(plan.linesToFulfil, ['11', '12', '13', '14', '15'], 'unmapped lines still count as to be received');
    assert.deepEqual(
      plan.issues.map((i) => [i.poLineId, i.code, i.category, i.mappingKey]),
      [
        ['11', 'MAPPING.MISSING_PRODUCT', 'missing-mapping', 'item-product:UNKNOWN-9'],
        ['12', 'VALIDATION.INVALID_QUANTITY', 'invalid-value', null],
        ['13', 'VALIDATION.INVALID_QUANTITY', 'invalid-value', null],
        ['15', 'VALIDATION.MISSING_ITEM', 'invalid-value', null],
      ],
    );
    assert.match(plan.issues[0]!.message, /PO 1001 \(POHeaderId 300100\) line 1 \(POLineId 11\): no item-product mapping for item UNKNOWN-9/);
    assert.equal(pendingReferenceId('300100', plan.issues[0]!.groupKey!, []), 'po300100-l11-r0');
  });

  it('raises a missing fulfillment center and a missing recipient as mapping exceptions', () => {
    const plan = planPurchaseOrder(po({ shipToAddress: 'Dock 4' }), cfg({ supplierFc: {} }));
    const codes = plan.issues.filter((i) => i.poLineId === '13').map((i) => i.code);
    assert.deepEqual(codes, ['MAPPING.MISSING_FULFILLMENT_CENTER', 'MAPPING.MISSING_RECIPIENT']);
    assert.equal(
      plan.issues.find((i) => i.code === 'MAPPING.MISSING_FULFILLMENT_CENTER')!.mappingKey,
      'ship-to-fc:Chicago or supplier-fc:ACME-MAIN or supplier-fc:Acme Supply',
    );
    assert.equal(plan.desired.size, 0);
  });

  it('emits nothing for an unchanged PO, cancel + new revision for a changed line, cancel for a cancelled line', () => {
    const c = cfg();
    const first = reconcileOrders('300100', planPurchaseOrder(po(), c), []);
    assert.deepEqual(
      first.actions.map((a) => a.action),
      ['create', 'create', 'create'],
    );
    let state = apply([], first.nextState);

    const again = reconcileOrders('300100', planPurchaseOrder(po(), c), state);
    assert.deepEqual(again.actions, []);
    assert.deepEqual(again.nextState, []);

    const changed = po();
    changed.lines[0] = { ...changed.lines[0]!, quantity: '7' };
    changed.lines[2] = { ...changed.lines[2]!, status: 'Canceled' };
    assert.deepEqual(planPurchaseOrder(changed, c).linesToFulfil, ['11', '12'], 'a cancelled line is no longer to be received');
    const r = reconcileOrders('300100', planPurchaseOrder(changed, c), state);
    assert.deepEqual(
      r.actions.map((a) => (a.action === 'cancel' ? `cancel ${a.previous.referenceId}` : `create ${a.referenceId} supersedes ${a.supersedesReferenceId}`)),
      ['cancel po300100-l13-r0', 'cancel po300100-l11-r0', 'create po300100-l11-r1 supersedes po300100-l11-r0'],
    );
    state = apply(state, r.nextState);
    assert.deepEqual(
      state.map((s) => [s.referenceId, s.state]),
      [
        ['po300100-l11-r1', 'active'],
        ['po300100-l12-r0', 'active'],
        ['po300100-l13-r0', 'cancelled'],
      ],
    );
    assert.deepEqual(reconcileOrders('300100', planPurchaseOrder(changed, c), state).actions, []);
  });

  it('leaves an existing order alone while its line cannot be mapped, then sends the missing line once fixed', () => {
    const c = cfg({ itemProduct: { AS54888: { shipbobSku: 'SKU-1' }, 'CM-100': { shipbobProductId: 1001 } } });
    const first = reconcileOrders('300100', planPurchaseOrder(po(), c), []);
    assert.deepEqual(
      first.actions.map((a) => a.action === 'create' && a.referenceId),
      ['po300100-l11-r0', 'po300100-l13-r0'],
    );
    const state = apply([], first.nextState);
    const fixed = cfg();
    const replay = reconcileOrders('300100', planPurchaseOrder(po(), fixed), state);
    assert.deepEqual(
      replay.actions.map((a) => a.action === 'create' && a.referenceId),
      ['po300100-l12-r0'],
    );
    const after = apply(state, replay.nextState);
    assert.deepEqual(reconcileOrders('300100', planPurchaseOrder(po(), fixed), after).actions, []);

    // the mapping is removed again and the quantity changes: the sent order is neither cancelled nor replaced
    const changed = po();
    changed.lines[0] = { ...changed.lines[0]!, quantity: '9' };
    const held = reconcileOrders('300100', planPurchaseOrder(changed, cfg({ itemProduct: {} })), after);
    assert.deepEqual(
      held.actions.filter((a) => a.action === 'cancel'),
      [],
    );
  });

  it('cancels every order of a cancelled PO', () => {
    const c = cfg();
    const state = apply([], reconcileOrders('300100', planPurchaseOrder(po(), c), []).nextState);
    const cancelledPlan = planPurchaseOrder(po({ status: 'Canceled' }), c);
    assert.deepEqual(cancelledPlan.linesToFulfil, []);
    const r = reconcileOrders('300100', cancelledPlan, state);
    assert.deepEqual(
      r.actions.map((a) => a.action),
      ['cancel', 'cancel', 'cancel'],
    );
  });

  it('reads whole units and one-line addresses strictly', () => {
    assert.equal(wholeUnits('12'), 12);
    assert.equal(wholeUnits('12.000'), 12);
    for (const bad of ['12.5', '0', '-1', '1e3', '', 'ten']) assert.equal(wholeUnits(bad), undefined, bad);
    assert.deepEqual(parseOneLineAddress('5900 W Ogden Ave, Dock 2, Cicero, IL 60804, US'), {
      address1: '5900 W Ogden Ave',
      address2: 'Dock 2',
      city: 'Cicero',
      state: 'IL',
      postalCode: '60804',
      country: 'US',
    });
    assert.equal(parseOneLineAddress('M1, 1 Dock Road'), undefined);
    // Oracle's format: lines, city, STATE ZIP, county, then the territory's name.
    assert.deepEqual(parseOneLineAddress('5900 W Ogden Ave, Cicero, IL 60804, Cook, United States'), {
      address1: '5900 W Ogden Ave',
      address2: null,
      city: 'Cicero',
      state: 'IL',
      postalCode: '60804',
      country: 'US',
    });
    assert.deepEqual(parseOneLineAddress('200 Oracle Pkwy, Bldg 3, Dock 12, Redwood City, CA 94065-1675, San Mateo, United States of America'), {
      address1: '200 Oracle Pkwy',
      address2: 'Bldg 3, Dock 12',
      city: 'Redwood City',
      state: 'CA',
      postalCode: '94065-1675',
      country: 'US',
    });
    assert.deepEqual(parseOneLineAddress('100 King St W, Toronto, ON M5H 1A1, Canada'), {
      address1: '100 King St W',
      address2: null,
      city: 'Toronto',
      state: 'ON',
      postalCode: 'M5H 1A1',
      country: 'CA',
    });
    assert.deepEqual(parseOneLineAddress('10 Downing Street, London, SW1A 2AA, United Kingdom'), {
      address1: '10 Downing Street',
      address2: null,
      city: 'London',
      state: null,
      postalCode: 'SW1A 2AA',
      country: 'GB',
    });
    assert.equal(parseOneLineAddress('12 Quai de Seine, Paris, 75019, FRA')?.country, 'FR');
    assert.equal(parseOneLineAddress('1 Main St, Suite 4, Rye, US')?.city, 'Rye');
    assert.equal(parseOneLineAddress('5900 W Ogden Ave, Cicero, IL 60804, Cook, Atlantis'), undefined);
    assert.equal(parseOneLineAddress('5900 W Ogden Ave, Cicero, IL 60804, Cook, XQ'), undefined);
    assert.equal(toRecipient({ name: 'DC', address1: '1 Main St', city: 'Reno', country: 'United States' }, null)?.country, 'US');
    assert.equal(toRecipient({ name: 'Seattle DC', text: ADDRESS }, 'Seattle')?.city, 'Seattle');
    assert.equal(toRecipient({ name: 'Seattle DC', text: ADDRESS }, 'Seattle')?.name, 'Seattle DC');
    assert.equal(toRecipient({ name: null, text: 'M1, 1 Dock Road' }, 'M1'), undefined);
  });
});
