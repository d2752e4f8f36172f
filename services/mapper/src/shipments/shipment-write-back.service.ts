import type { PoolClient } from 'pg';
import type { TopicRecords } from '@mlc/contracts';
import {
  mergeShipment,
  parseReferenceId,
  planShipmentProblems,
  planWriteBack,
  readShipbobWebhook,
  type EventRuleValue,
  type RequestedLine,
} from '@mlc/domain-fulfilment';
import { newMeta, type HandlerContext, type OutgoingRecord } from '@mlc/platform-kafka';
import type { Logger } from '@mlc/platform-telemetry';
import type { ShipmentsRepository } from './shipments.repository';

type EventMeta = TopicRecords['shipbob.webhook.received.v1']['meta'];
type Ctx = Pick<HandlerContext, 'exception'>;
const SOURCE = 'mapper';
/** Outcomes of fulfilment.fusion-po.updated.v1 that mean Fusion holds the write (a receipt: processed, not merely staged). */
const CONFIRMED = new Set(['written', 'already_written']);

export interface ShipmentRules {
  /** The tenant's shipbob-event-rule mappings (topic → action). */
  rules(tenantId: string): Promise<Record<string, EventRuleValue>>;
  writeToFlexfield(tenantId: string): boolean;
  /** Tenant setting shipmentProblemsAsPoNote (default false). */
  problemsAsPoNote(tenantId: string): Promise<boolean>;
}

/**
 * The shipments use case: learns which ShipBob orders belong to which PO lines (requested / synced), merges ShipBob
 * shipment webhooks into per-shipment state by status precedence, and emits the Fusion write-backs that state calls
 * for, each once (deterministic keys stored with the event that caused them).
 */
export class ShipmentWriteBackService {
  constructor(
    private readonly repo: ShipmentsRepository,
    private readonly tenants: ShipmentRules,
    private readonly log: Logger,
  ) {}

  async onRequested(v: TopicRecords['fulfilment.shipbob-order.requested.v1'], ctx: Ctx): Promise<OutgoingRecord[]> {
    const tenantId = v.meta.tenantId;
    const rules = await this.tenants.rules(tenantId);
    return this.repo.tx(async (c) => {
      await this.repo.lockPos(c, tenantId, [v.poHeaderId]);
      if (v.action === 'cancel') {
        await this.repo.markCancelled(c, tenantId, v.referenceId, v.poHeaderId, v.poNumber);
      } else {
        const lines: RequestedLine[] = v.products.map((p) => ({
          poLineId: p.poLineId,
          lineNumber: p.lineNumber,
          itemNumber: p.itemNumber ?? null,
          sku: p.sku ?? null,
          quantity: p.quantity,
          uom: p.uom ?? null,
        }));
        await this.repo.upsertRequested(c, tenantId, {
          referenceId: v.referenceId,
          poHeaderId: v.poHeaderId,
          poNumber: v.poNumber,
          revision: v.revision,
          supersedes: v.supersedesReferenceId ?? null,
          lines,
        });
        if (v.supersedesReferenceId) await this.repo.markCancelled(c, tenantId, v.supersedesReferenceId, v.poHeaderId, v.poNumber);
      }
      if (v.poLinesToFulfil?.length) await this.repo.saveLinesToFulfil(c, tenantId, v.poHeaderId, v.poLastUpdateDate, v.poLinesToFulfil);
      await this.recompute(c, tenantId, v.poHeaderId, v.meta, rules, ctx);
      return this.repo.emittedBy(c, tenantId, v.meta.eventId);
    });
  }

  async onSynced(v: TopicRecords['fulfilment.shipbob-order.synced.v1'], ctx: Ctx): Promise<OutgoingRecord[]> {
    const tenantId = v.meta.tenantId;
    const rules = await this.tenants.rules(tenantId);
    return this.repo.tx(async (c) => {
      await this.repo.lockPos(c, tenantId, [v.poHeaderId]);
      if (v.outcome === 'cancelled' || v.outcome === 'already_cancelled') await this.repo.markCancelled(c, tenantId, v.referenceId, v.poHeaderId, v.poNumber);
      else await this.repo.setShipbobOrderId(c, tenantId, v.referenceId, v.poHeaderId, v.poNumber, v.shipbobOrderId ?? null);
      await this.recompute(c, tenantId, v.poHeaderId, v.meta, rules, ctx);
      return this.repo.emittedBy(c, tenantId, v.meta.eventId);
    });
  }

  /**
   * fusion-writer's result: a receipt it reports written has been processed by Fusion (the writer reads the staged
   * request back until it is), so its lines now count as received, which may complete the PO (close for receiving).
   */
  async onPoUpdated(v: TopicRecords['fulfilment.fusion-po.updated.v1'], ctx: Ctx): Promise<OutgoingRecord[]> {
    if (v.kind !== 'receipt' || !CONFIRMED.has(v.outcome)) return [];
    const tenantId = v.meta.tenantId;
    const rules = await this.tenants.rules(tenantId);
    return this.repo.tx(async (c) => {
      await this.repo.lockPos(c, tenantId, [v.poHeaderId]);
      if (await this.repo.confirmReceipt(c, tenantId, v.idempotencyKey, v.poHeaderId, v.fusionDocumentId ?? null)) {
        this.log.info('receipt confirmed by Fusion', {
          tenantId,
          poHeaderId: v.poHeaderId,
          idempotencyKey: v.idempotencyKey,
          processingStatus: v.processingStatus ?? null,
        });
      }
      await this.recompute(c, tenantId, v.poHeaderId, v.meta, rules, ctx);
      return this.repo.emittedBy(c, tenantId, v.meta.eventId);
    });
  }

  async onWebhook(v: TopicRecords['shipbob.webhook.received.v1'], ctx: Ctx): Promise<OutgoingRecord[]> {
    if (v.partner !== 'shipbob') return [];
    const tenantId = v.meta.tenantId;
    const topic = v.topic || v.headers['x-webhook-topic'] || '';
    const reading = readShipbobWebhook(topic, v.body);
    if (reading.kind === 'unreadable') {
      this.log.warn('unreadable ShipBob webhook', { tenantId, deliveryId: v.deliveryId, topic, why: reading.why });
      return [
        ctx.exception({
          code: 'SHIPBOB.WEBHOOK_UNREADABLE',
          category: 'parse',
          message: `ShipBob webhook ${topic} could not be read: ${reading.why}`,
          entityType: 'shipbob-webhook',
          businessId: v.deliveryId,
          details: { topic, deliveryId: v.deliveryId },
        }),
      ];
    }
    if (reading.kind === 'ignored') {
      this.log.info('ShipBob webhook ignored', { tenantId, deliveryId: v.deliveryId, topic, why: reading.why });
      return [];
    }
    const rules = await this.tenants.rules(tenantId);
    return this.repo.tx(async (c) => {
      const firstEvent = await this.repo.claimDelivery(c, tenantId, v.deliveryId, v.meta.eventId, topic);
      if (firstEvent !== v.meta.eventId) {
        this.log.info('ShipBob webhook redelivery skipped', { tenantId, deliveryId: v.deliveryId, topic });
        return [];
      }
      const pos = new Set<string>();
      if (reading.kind === 'shipments') {
        const ours = reading.facts.flatMap((f) => {
          const ref = parseReferenceId(f.referenceId);
          if (!ref) {
            this.log.info('shipment of an order we did not create: ignored', {
              tenantId,
              deliveryId: v.deliveryId,
              referenceId: f.referenceId,
              shipmentId: f.shipmentId,
            });
            return [];
          }
          return [{ fact: f, poHeaderId: ref.poHeaderId }];
        });
        await this.repo.lockPos(
          c,
          tenantId,
          ours.map((o) => o.poHeaderId),
        );
        for (const { fact, poHeaderId } of ours) {
          const prev = await this.repo.shipment(c, tenantId, fact.shipmentId);
          const { state, changed } = mergeShipment(prev?.state, fact);
          if (changed) await this.repo.saveShipment(c, tenantId, poHeaderId, state);
          else this.log.info('shipment status already known: nothing new', { tenantId, shipmentId: fact.shipmentId, milestone: fact.milestone });
          pos.add(poHeaderId);
        }
      } else {
        const ch = reading.charge;
        const known = ch.shipmentId ? await this.repo.shipment(c, tenantId, ch.shipmentId) : undefined;
        if (known) await this.repo.lockPos(c, tenantId, [known.poHeaderId]);
        await this.repo.saveCharge(c, tenantId, ch.shipmentId ?? null, {
          transactionId: ch.transactionId,
          chargeType: ch.chargeType,
          amount: ch.amount,
          currency: ch.currency,
          chargedAt: ch.chargedAt ?? null,
        });
        if (known) pos.add(known.poHeaderId);
        else this.log.info('charge for a shipment not (yet) known: kept until it is', { tenantId, transactionId: ch.transactionId, shipmentId: ch.shipmentId });
      }
      for (const po of [...pos].sort()) await this.recompute(c, tenantId, po, v.meta, rules, ctx);
      return this.repo.emittedBy(c, tenantId, v.meta.eventId);
    });
  }

  /** Emits (stores, caused by this event) every write-back and charge the PO's state calls for and that was not emitted yet. */
  private async recompute(
    c: PoolClient,
    tenantId: string,
    poHeaderId: string,
    cause: EventMeta,
    rules: Record<string, EventRuleValue>,
    ctx: Ctx,
  ): Promise<void> {
    const { poNumber, orders } = await this.repo.activeOrders(c, tenantId, poHeaderId);
    if (!poNumber) return; // no order of this PO requested yet: the shipment waits in its state
    const shipments = await this.repo.shipmentsOfPo(c, tenantId, poHeaderId);
    const key = `${tenantId}:${poHeaderId}`;
    const linesToFulfil = await this.repo.linesToFulfil(c, tenantId, poHeaderId);
    const confirmedReceipts = await this.repo.confirmedReceipts(c, tenantId, poHeaderId);
    const problemsAsPoNote = await this.tenants.problemsAsPoNote(tenantId);
    const input = {
      poHeaderId,
      poNumber,
      orders,
      shipments,
      rules,
      writeToFlexfield: this.tenants.writeToFlexfield(tenantId),
      linesToFulfil,
      confirmedReceipts,
      problemsAsPoNote,
    };
    // Shipment problems go to the exceptions queue, once per shipment and kind (the record key; the queue folds by businessId).
    for (const p of planShipmentProblems(input)) {
      const record = ctx.exception({
        code: p.code,
        category: p.category,
        message: p.message,
        entityType: p.entityType,
        businessId: p.businessId,
        details: p.details,
      });
      if (await this.repo.emit(c, tenantId, `problem:${p.businessId}`, poHeaderId, cause.eventId, record)) {
        this.log.warn('ShipBob shipment problem raised', { tenantId, poHeaderId, code: p.code, businessId: p.businessId });
      }
    }
    const commands = planWriteBack(input);
    for (const cmd of commands) {
      const record: OutgoingRecord<'fulfilment.fusion-po-update.requested.v1'> = {
        topic: 'fulfilment.fusion-po-update.requested.v1',
        key,
        value: { meta: newMeta({ tenantId, source: SOURCE, causedBy: cause }), ...cmd },
      };
      if (await this.repo.emit(c, tenantId, cmd.idempotencyKey, poHeaderId, cause.eventId, record)) {
        this.log.info('Fusion PO update requested', { tenantId, poHeaderId, kind: cmd.kind, idempotencyKey: cmd.idempotencyKey });
      }
    }
    const byShipment = new Map(shipments.map((s) => [s.shipmentId, s]));
    for (const { shipmentId, charge } of await this.repo.takePendingCharges(c, tenantId, [...byShipment.keys()])) {
      const s = byShipment.get(shipmentId)!;
      const order = orders.find((o) => o.referenceId === s.referenceId);
      const record: OutgoingRecord<'fulfilment.shipbob-charge.recorded.v1'> = {
        topic: 'fulfilment.shipbob-charge.recorded.v1',
        key: `${tenantId}:${charge.transactionId}`,
        value: {
          meta: newMeta({ tenantId, source: SOURCE, causedBy: cause }),
          transactionId: charge.transactionId,
          chargeType: charge.chargeType,
          amount: charge.amount,
          currency: charge.currency,
          chargedAt: charge.chargedAt,
          shipbobOrderId: s.shipbobOrderId ?? order?.shipbobOrderId ?? null,
          shipmentId,
          referenceId: s.referenceId,
          poHeaderId,
          poNumber,
        },
      };
      await this.repo.emit(c, tenantId, `charge:${charge.transactionId}`, poHeaderId, cause.eventId, record);
    }
  }
}
