import type { EventMeta, TopicName, TopicRecords } from '@mlc/contracts';

/** What the audit trail records about one event, derived from the event alone (so a rebuild is identical). */
export interface EventDescription {
  sourceSystem: string;
  targetSystem: string;
  /** inbound (read from a partner), outbound (towards a partner), internal (configuration, operators). */
  direction: 'inbound' | 'outbound' | 'internal';
  entityType: string;
  businessId: string;
  /** received | requested | success | failed | recorded | dry-run (a partner write held back by settings.dryRun) */
  result: 'received' | 'requested' | 'success' | 'failed' | 'recorded' | 'dry-run';
  errorCode?: string;
  errorMessage?: string;
  mappingVersion?: number;
  /** Every record this event touches, as `<type>:<id>` (the timeline follows these). */
  refs: string[];
  /** Links between records this event proves (cross-references). */
  links: Array<{ a: string; b: string; relation: string }>;
  /** A few fields the reports use (kind, outcome, amount, currency, ids). */
  attrs: Record<string, string>;
}

/** `<type>:<id>`, the form refs and cross-references use. */
export const ref = (type: string, id: string): string => `${type}:${id}`;

/** The partner each command / source topic talks to: (source system, target system, direction). */
const TOPIC_SYSTEMS: Record<string, [string, string, EventDescription['direction']]> = {
  'erp.purchase-order.changed.v1': ['fusion', 'connector', 'inbound'],
  'erp.receivables.changed.v1': ['fusion', 'connector', 'inbound'],
  'shipbob.webhook.received.v1': ['shipbob', 'connector', 'inbound'],
  'shopify.webhook.received.v1': ['shopify', 'connector', 'inbound'],
  'fulfilment.shipbob-order.requested.v1': ['fusion', 'shipbob', 'outbound'],
  'fulfilment.shipbob-order.synced.v1': ['fusion', 'shipbob', 'outbound'],
  'fulfilment.fusion-po-update.requested.v1': ['shipbob', 'fusion', 'outbound'],
  'fulfilment.fusion-po.updated.v1': ['shipbob', 'fusion', 'outbound'],
  'fulfilment.shipbob-charge.recorded.v1': ['shipbob', 'connector', 'inbound'],
  'accounting.fusion-receivables.requested.v1': ['shopify', 'fusion', 'outbound'],
  'accounting.fusion-receivables.synced.v1': ['shopify', 'fusion', 'outbound'],
  'ops.exception.raised.v1': ['connector', 'connector', 'internal'],
  'tenant.config.changed.v1': ['operator', 'connector', 'internal'],
  'ops.operator-action.recorded.v1': ['operator', 'connector', 'internal'],
  'ops.flow-control.changed.v1': ['operator', 'connector', 'internal'],
  'ops.consumer-control.requested.v1': ['operator', 'connector', 'internal'],
  'ops.dry-run-write.recorded.v1': ['connector', 'connector', 'outbound'],
};

/**
 * The success events of the conventions table (schemas/CONVENTIONS.md): (entityType, businessId) they prove done.
 * An open exception for the same record resolves when such an event happened after it.
 */
export function successOf(topic: TopicName, value: TopicRecords[TopicName]): { entityType: string; businessId: string } | undefined {
  switch (topic) {
    case 'fulfilment.shipbob-order.synced.v1':
      return { entityType: 'shipbob-order', businessId: (value as TopicRecords[typeof topic]).referenceId };
    case 'fulfilment.fusion-po.updated.v1':
      return { entityType: 'fusion-po-update', businessId: (value as TopicRecords[typeof topic]).idempotencyKey };
    case 'accounting.fusion-receivables.synced.v1':
      return { entityType: 'fusion-receivables', businessId: (value as TopicRecords[typeof topic]).idempotencyKey };
    case 'erp.purchase-order.changed.v1':
      return { entityType: 'fusion-po', businessId: (value as TopicRecords[typeof topic]).poHeaderId };
    default:
      return undefined;
  }
}

/** The business id an exception names (conventions table), falling back to the source event id. */
export function exceptionEntity(e: TopicRecords['ops.exception.raised.v1']): { entityType: string; businessId: string } {
  return { entityType: e.entityType ?? 'event', businessId: e.businessId ?? e.sourceEventId ?? e.meta.eventId };
}

/** Best-effort total of a mapped Fusion document (decimal string), for the reconciliation report. */
export function documentAmount(document: string): string | undefined {
  try {
    const d = JSON.parse(document) as Record<string, unknown>;
    for (const k of ['amount', 'totalAmount', 'total', 'InvoiceAmount', 'EnteredAmount', 'TransactionAmount']) {
      const v = d[k];
      if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return v;
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function attrs(fields: Record<string, string | number | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== undefined && v !== '') out[k] = String(v);
  return out;
}

/** Describes one event for the audit trail. Pure: the same event always gives the same description. */
export function describeEvent(topic: TopicName, value: TopicRecords[TopicName]): EventDescription {
  const [sourceSystem, targetSystem, direction] = TOPIC_SYSTEMS[topic] ?? ['connector', 'connector', 'internal'];
  const base = { sourceSystem, targetSystem, direction, refs: [] as string[], links: [] as EventDescription['links'], attrs: {} as Record<string, string> };
  const link = (a: string, b: string, relation: string) => base.links.push({ a, b, relation });
  switch (topic) {
    case 'erp.purchase-order.changed.v1': {
      const v = value as TopicRecords[typeof topic];
      const po = ref('fusion-po', v.poHeaderId);
      for (const l of v.lines) link(po, ref('fusion-po-line', l.poLineId), 'po-line');
      return {
        ...base,
        entityType: 'fusion-po',
        businessId: v.poHeaderId,
        result: 'success',
        refs: [po, ...v.lines.map((l) => ref('fusion-po-line', l.poLineId))],
        attrs: attrs({ poNumber: v.orderNumber, status: v.status, lastUpdateDate: v.lastUpdateDate }),
      };
    }
    case 'erp.receivables.changed.v1': {
      const v = value as TopicRecords[typeof topic];
      const type = v.entity === 'customer_account' ? 'fusion-customer' : v.entity === 'invoice' ? 'fusion-invoice' : 'fusion-credit-memo';
      const own = ref(type, v.number ?? v.fusionId);
      if (v.crossReference) link(own, ref(v.entity === 'customer_account' ? 'shopify-customer' : 'shopify-order', v.crossReference), 'fusion-cross-reference');
      return {
        ...base,
        entityType: type,
        businessId: v.fusionId,
        result: 'received',
        refs: [own, ref(type, v.fusionId)],
        attrs: attrs({ number: v.number, status: v.status }),
      };
    }
    case 'shipbob.webhook.received.v1':
    case 'shopify.webhook.received.v1': {
      const v = value as TopicRecords[typeof topic];
      const type = `${v.partner}-webhook`;
      return {
        ...base,
        entityType: type,
        businessId: v.deliveryId,
        result: 'received',
        refs: [ref(type, v.deliveryId)],
        attrs: attrs({ webhookTopic: v.topic }),
      };
    }
    case 'fulfilment.shipbob-order.requested.v1': {
      const v = value as TopicRecords[typeof topic];
      const order = ref('shipbob-order', v.referenceId);
      link(ref('fusion-po', v.poHeaderId), order, 'po-shipbob-order');
      for (const p of v.products) link(ref('fusion-po-line', p.poLineId), order, 'po-line-shipbob-order');
      if (v.supersedesReferenceId) link(ref('shipbob-order', v.supersedesReferenceId), order, 'superseded-by');
      return {
        ...base,
        entityType: 'shipbob-order',
        businessId: v.referenceId,
        result: 'requested',
        mappingVersion: v.mappingVersion,
        refs: [order, ref('fusion-po', v.poHeaderId), ...v.products.map((p) => ref('fusion-po-line', p.poLineId))],
        attrs: attrs({ action: v.action, poHeaderId: v.poHeaderId, poNumber: v.poNumber, revision: v.revision }),
      };
    }
    case 'fulfilment.shipbob-order.synced.v1': {
      const v = value as TopicRecords[typeof topic];
      const order = ref('shipbob-order', v.referenceId);
      link(ref('fusion-po', v.poHeaderId), order, 'po-shipbob-order');
      if (v.shipbobOrderId) link(order, ref('shipbob-order-id', v.shipbobOrderId), 'shipbob-id');
      return {
        ...base,
        entityType: 'shipbob-order',
        businessId: v.referenceId,
        result: 'success',
        refs: [order, ref('fusion-po', v.poHeaderId), ...(v.shipbobOrderId ? [ref('shipbob-order-id', v.shipbobOrderId)] : [])],
        attrs: attrs({ outcome: v.outcome, poHeaderId: v.poHeaderId, poNumber: v.poNumber, shipbobOrderId: v.shipbobOrderId, status: v.status }),
      };
    }
    case 'fulfilment.fusion-po-update.requested.v1': {
      const v = value as TopicRecords[typeof topic];
      const update = ref('fusion-po-update', v.idempotencyKey);
      const refs = [update, ref('fusion-po', v.poHeaderId)];
      link(ref('fusion-po', v.poHeaderId), update, 'po-update');
      if (v.referenceId) refs.push(ref('shipbob-order', v.referenceId));
      if (v.shipmentId) {
        refs.push(ref('shipbob-shipment', v.shipmentId));
        link(ref(v.referenceId ? 'shipbob-order' : 'fusion-po', v.referenceId ?? v.poHeaderId), ref('shipbob-shipment', v.shipmentId), 'shipment');
        link(ref('shipbob-shipment', v.shipmentId), update, 'shipment-po-update');
      } else if (v.referenceId) link(ref('shipbob-order', v.referenceId), update, 'order-po-update');
      return {
        ...base,
        entityType: 'fusion-po-update',
        businessId: v.idempotencyKey,
        result: 'requested',
        refs,
        attrs: attrs({ kind: v.kind, poHeaderId: v.poHeaderId, poNumber: v.poNumber, shipmentId: v.shipmentId, referenceId: v.referenceId }),
      };
    }
    case 'fulfilment.fusion-po.updated.v1': {
      const v = value as TopicRecords[typeof topic];
      const update = ref('fusion-po-update', v.idempotencyKey);
      const refs = [update, ref('fusion-po', v.poHeaderId)];
      if (v.fusionDocumentId) {
        refs.push(ref('fusion-document', v.fusionDocumentId));
        link(update, ref('fusion-document', v.fusionDocumentId), 'fusion-document');
      }
      if (v.shipmentId) refs.push(ref('shipbob-shipment', v.shipmentId));
      return {
        ...base,
        entityType: 'fusion-po-update',
        businessId: v.idempotencyKey,
        result: 'success',
        refs,
        attrs: attrs({ kind: v.kind, outcome: v.outcome, poHeaderId: v.poHeaderId, shipmentId: v.shipmentId, fusionDocumentId: v.fusionDocumentId }),
      };
    }
    case 'fulfilment.shipbob-charge.recorded.v1': {
      const v = value as TopicRecords[typeof topic];
      const charge = ref('shipbob-charge', v.transactionId);
      const refs = [charge];
      if (v.shipmentId) (refs.push(ref('shipbob-shipment', v.shipmentId)), link(ref('shipbob-shipment', v.shipmentId), charge, 'charge'));
      if (v.poHeaderId) (refs.push(ref('fusion-po', v.poHeaderId)), link(ref('fusion-po', v.poHeaderId), charge, 'charge'));
      if (v.referenceId) refs.push(ref('shipbob-order', v.referenceId));
      return {
        ...base,
        entityType: 'shipbob-charge',
        businessId: v.transactionId,
        result: 'recorded',
        refs,
        attrs: attrs({ chargeType: v.chargeType, amount: v.amount, currency: v.currency, poHeaderId: v.poHeaderId }),
      };
    }
    case 'accounting.fusion-receivables.requested.v1': {
      const v = value as TopicRecords[typeof topic];
      const cmd = ref('fusion-receivables', v.idempotencyKey);
      const refs = [cmd];
      const order = v.shopifyOrderId ? ref('shopify-order', v.shopifyOrderId) : undefined;
      if (order) (refs.push(order), link(order, cmd, 'receivables-command'));
      if (v.shopifyCustomerId) {
        refs.push(ref('shopify-customer', v.shopifyCustomerId));
        link(ref('shopify-customer', v.shopifyCustomerId), order ?? cmd, order ? 'customer-order' : 'receivables-command');
      }
      if (v.shopifyRefundId && order) (refs.push(ref('shopify-refund', v.shopifyRefundId)), link(order, ref('shopify-refund', v.shopifyRefundId), 'refund'));
      return {
        ...base,
        entityType: 'fusion-receivables',
        businessId: v.idempotencyKey,
        result: 'requested',
        mappingVersion: v.mappingVersion,
        refs,
        attrs: attrs({ kind: v.kind, shopifyOrderId: v.shopifyOrderId, shopifyOrderName: v.shopifyOrderName, amount: documentAmount(v.document) }),
      };
    }
    case 'accounting.fusion-receivables.synced.v1': {
      const v = value as TopicRecords[typeof topic];
      const cmd = ref('fusion-receivables', v.idempotencyKey);
      const refs = [cmd];
      const order = v.shopifyOrderId ? ref('shopify-order', v.shopifyOrderId) : undefined;
      if (order) refs.push(order);
      if (v.fusionTransactionNumber) {
        const doc = ref(v.kind === 'credit_memo' ? 'fusion-credit-memo' : 'fusion-invoice', v.fusionTransactionNumber);
        refs.push(doc);
        if (v.kind === 'credit_memo' && v.shopifyRefundId) link(ref('shopify-refund', v.shopifyRefundId), doc, 'credit-memo');
        else link(order ?? cmd, doc, v.kind === 'credit_memo' ? 'credit-memo' : 'invoice');
      }
      if (v.shopifyCustomerId && v.fusionCustomerAccountNumber) {
        refs.push(ref('shopify-customer', v.shopifyCustomerId), ref('fusion-customer', v.fusionCustomerAccountNumber));
        link(ref('shopify-customer', v.shopifyCustomerId), ref('fusion-customer', v.fusionCustomerAccountNumber), 'customer');
      }
      return {
        ...base,
        entityType: 'fusion-receivables',
        businessId: v.idempotencyKey,
        result: 'success',
        refs,
        attrs: attrs({
          kind: v.kind,
          outcome: v.outcome,
          shopifyOrderId: v.shopifyOrderId,
          shopifyOrderName: v.shopifyOrderName,
          fusionTransactionNumber: v.fusionTransactionNumber,
          amount: v.amount,
          currency: v.currency,
        }),
      };
    }
    case 'ops.exception.raised.v1': {
      const v = value as TopicRecords[typeof topic];
      const { entityType, businessId } = exceptionEntity(v);
      const [s, t] = TOPIC_SYSTEMS[v.sourceTopic] ?? ['connector', 'connector'];
      return {
        ...base,
        sourceSystem: s,
        targetSystem: t,
        direction: TOPIC_SYSTEMS[v.sourceTopic]?.[2] ?? 'internal',
        entityType,
        businessId,
        result: 'failed',
        errorCode: v.code,
        errorMessage: v.message,
        refs: [ref(entityType, businessId)],
        attrs: attrs({ category: v.category, service: v.service, sourceTopic: v.sourceTopic, sourceEventId: v.sourceEventId }),
      };
    }
    case 'tenant.config.changed.v1': {
      const v = value as TopicRecords[typeof topic];
      return {
        ...base,
        entityType: 'tenant-config',
        businessId: `${v.entity}:${v.key}`,
        result: 'recorded',
        attrs: attrs({ action: v.action, actor: v.actor, version: v.version }),
      };
    }
    case 'ops.operator-action.recorded.v1': {
      const v = value as TopicRecords[typeof topic];
      return {
        ...base,
        entityType: 'operator-action',
        businessId: `${v.action}:${v.target}`,
        result: 'recorded',
        attrs: attrs({ action: v.action, actor: v.actor, target: v.target, comment: v.comment }),
      };
    }
    case 'ops.flow-control.changed.v1': {
      const v = value as TopicRecords[typeof topic];
      return { ...base, entityType: 'flow', businessId: v.partner, result: 'recorded', attrs: attrs({ state: v.state, reason: v.reason, actor: v.actor }) };
    }
    case 'ops.consumer-control.requested.v1': {
      const v = value as TopicRecords[typeof topic];
      return {
        ...base,
        entityType: 'consumer-group',
        businessId: v.groupId,
        result: 'recorded',
        attrs: attrs({ action: v.action, actor: v.actor, requestId: v.requestId }),
      };
    }
    case 'ops.dry-run-write.recorded.v1': {
      // Not a success: the record was not written, so an open exception about it stays open until the live write.
      const v = value as TopicRecords[typeof topic];
      const refs = [
        ref(v.entityType, v.businessId),
        ...(v.poHeaderId ? [ref('fusion-po', v.poHeaderId)] : []),
        ...(v.shopifyOrderId ? [ref('shopify-order', v.shopifyOrderId)] : []),
      ];
      return {
        ...base,
        targetSystem: v.partner,
        entityType: v.entityType,
        businessId: v.businessId,
        result: 'dry-run',
        refs,
        attrs: attrs({
          flow: v.flow,
          partner: v.partner,
          operation: v.operation,
          method: v.method,
          path: v.path,
          body: v.body,
          poHeaderId: v.poHeaderId,
          shopifyOrderId: v.shopifyOrderId,
          note: v.note,
        }),
      };
    }
    default:
      return { ...base, entityType: 'event', businessId: (value as { meta: EventMeta }).meta.eventId, result: 'recorded' };
  }
}

/** The trace id carried by a W3C traceparent (00-<trace>-<span>-<flags>). */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  const m = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent) : null;
  return m ? m[1]! : null;
}
