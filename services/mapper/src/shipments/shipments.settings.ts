import { as, type Setting } from '@mlc/platform-config';

/** Settings of the shipments feature of mapper (merged into the service's settings). */
export const shipmentsSettings = {
  shipmentExceptionsToFlexfield: {
    env: 'SHIPMENTS_EXCEPTIONS_TO_FLEXFIELD',
    doc: 'also write ShipBob exceptions, holds and cancellations to the PO descriptive flexfield (tenants have no setting for it yet)',
    parse: as.bool,
    default: false,
  } as Setting<boolean>,
} satisfies Record<string, Setting<unknown>>;
