import type { TopicRecords } from '@mlc/contracts';
import {
  BILL_OF_LADING_MAX,
  receiptState,
  type FusionClient,
  type FusionReceiptConfirmOptions,
  type FusionReceiptLineInput,
  type FusionReceiptRequest,
} from '@mlc/partners-fusion-client';
import { AppError, toAppError } from '@mlc/platform-errors';
import { newMeta, type OutgoingRecord } from '@mlc/platform-kafka';
import type { Logger } from '@mlc/platform-telemetry';
import type { PoWritesLedger } from './po-writes.ledger';
import type { WriteClaims } from '../write-claims';

type Command = TopicRecords['fulfilment.fusion-po-update.requested.v1'];
type Outcome = TopicRecords['fulfilment.fusion-po.updated.v1']['outcome'];
const SOURCE = 'fusion-writer';
/** PO statuses after which a close for receiving has nothing left to do. */
const CLOSED = new Set(['Closed for Receiving', 'Closed', 'Finally Closed']);

export interface PoWriteDeps {
  ledger: PoWritesLedger;
  fusion(tenantId: string): Promise<FusionClient>;
  dffStatusSegment: string;
  /** Bounded read-back of a staged receipt/ASN until Fusion processed it (still pending after it: retried later). */
  receiptConfirm?: FusionReceiptConfirmOptions;
  log: Logger;
  /** Claims across replicas (write-claims.ts): one replica at a time writes a command's document. */
  claims?: WriteClaims;
}

/** What a write (or the look-up of an earlier one) found: the document and, for receiving requests, Fusion's status. */
interface Written {
  documentId: string | null;
  processingStatus?: string | null;
}

/** The ShipmentNumber our ASNs and receipts carry: the ShipBob shipment, so an earlier write can be found again. */
export function shipmentNumberOf(cmd: Pick<Command, 'shipmentId' | 'idempotencyKey'>): string {
  return cmd.shipmentId ? `SB-${cmd.shipmentId}` : `SB-${cmd.idempotencyKey}`;
}

/**
 * Carrier and tracking of an ASN in the attributes receivingReceiptRequests documents: the tracking number as the
 * header's BillOfLading (max 25 characters), the carrier's name (and a longer tracking number, and the tracking URL)
 * in Comments. The resource has no carrier-name or waybill attribute (FreightCarrierName / WaybillAirbillNumber are
 * refused by Fusion).
 */
export function asnCarrierAndTracking(cmd: Pick<Command, 'carrier' | 'trackingNumber' | 'trackingUrl'>): { billOfLading?: string; comments?: string } {
  const tracking = cmd.trackingNumber ?? undefined;
  const fits = tracking !== undefined && tracking.length <= BILL_OF_LADING_MAX;
  const parts = [
    cmd.carrier ? `Carrier: ${cmd.carrier}` : undefined,
    tracking && !fits ? `Tracking number: ${tracking}` : undefined,
    cmd.trackingUrl ? `Tracking: ${cmd.trackingUrl}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return { ...(fits ? { billOfLading: tracking } : {}), ...(parts.length ? { comments: parts.join('; ') } : {}) };
}

/**
 * Performs one PO write-back in Fusion exactly once: the ledger says what is done; a previous attempt whose outcome
 * is unknown (crash, timeout, 500 on a create) is looked up in Fusion before anything is created again, so a replay
 * never receives the same quantity twice (Fusion refuses over-receipt).
 */
export class PoWriteService {
  constructor(private readonly deps: PoWriteDeps) {}

  async handle(cmd: Command): Promise<OutgoingRecord[]> {
    const claims = this.deps.claims;
    if (!claims) return this.claimed(cmd);
    return claims.run(`fusion-writer:po-write:${cmd.meta.tenantId}:${cmd.idempotencyKey}`, () => this.claimed(cmd));
  }

  /** A command, with its claim held when the writer has claims. */
  private async claimed(cmd: Command): Promise<OutgoingRecord[]> {
    const tenantId = cmd.meta.tenantId;
    const key = cmd.idempotencyKey;
    const { ledger, log } = this.deps;
    const prior = await ledger.get(tenantId, key);
    if (prior?.state === 'done') {
      log.info('PO update already done', { tenantId, idempotencyKey: key, kind: cmd.kind });
      return [this.updated(cmd, 'already_written', { documentId: prior.fusionDocumentId })];
    }
    try {
      if (prior) {
        // An earlier attempt may have written it (lost answer) or left a receipt pending in Fusion: look before writing.
        const found = await this.findExisting(cmd);
        if (found !== undefined) {
          await ledger.done(tenantId, key, 'already_written', found.documentId);
          log.info('PO update found in Fusion after an earlier attempt', { tenantId, idempotencyKey: key, kind: cmd.kind });
          return [this.updated(cmd, 'already_written', found)];
        }
      }
      await ledger.start(tenantId, key, cmd);
      const { outcome, ...written } = await this.write(cmd);
      await ledger.done(tenantId, key, outcome, written.documentId);
      log.info('PO update written to Fusion', { tenantId, idempotencyKey: key, kind: cmd.kind, outcome });
      return [this.updated(cmd, outcome, written)];
    } catch (err) {
      const e = this.named(cmd, toAppError(err));
      if (e.code === 'FUSION.OUTCOME_UNKNOWN') {
        await ledger.failed(tenantId, key, 'started', e.message);
        // Retry, but the next attempt looks in Fusion first (the ledger row says it may have been written).
        throw new AppError('FUSION.OUTCOME_UNKNOWN', e.message, { retryable: true, cause: e, details: { ...e.details, idempotencyKey: key } });
      }
      await ledger.failed(tenantId, key, e.retryable ? 'started' : 'failed', `${e.code}: ${e.message}`);
      throw e;
    }
  }

  /** A receiving request's processing failure or pending state, named by PO and shipment for the exceptions queue. */
  private named(cmd: Command, e: AppError): AppError {
    if (e.code !== 'FUSION.RECEIPT_PROCESSING_REJECTED' && e.code !== 'FUSION.RECEIPT_PENDING_TIMEOUT') return e;
    const what = cmd.kind === 'receipt' ? 'receipt' : 'advance shipment notice';
    const lines = cmd.lines.map((l) => l.lineNumber).join(', ');
    return new AppError(e.code, `${what} for PO ${cmd.poNumber} line ${lines} (ShipBob shipment ${cmd.shipmentId ?? '?'}): ${e.message}`, {
      retryable: e.retryable,
      cause: e,
      details: { ...e.details, idempotencyKey: cmd.idempotencyKey, poNumber: cmd.poNumber, shipmentId: cmd.shipmentId ?? null },
    });
  }

  /**
   * The document that shows the write already happened, or undefined. A receipt/ASN found by its ShipmentNumber is
   * only done once Fusion processed it: still pending is a retryable error, a processing error is Oracle's message
   * (never a second POST: the operator fixes or deletes the staged request in Fusion, then replays).
   */
  private async findExisting(cmd: Command): Promise<Written | undefined> {
    switch (cmd.kind) {
      case 'advance_shipment_notice':
      case 'receipt': {
        const type = cmd.kind === 'receipt' ? 'RECEIVE' : 'SHIP';
        const client = await this.deps.fusion(cmd.meta.tenantId);
        const requests = await client.findReceiptRequestsByShipmentNumber(shipmentNumberOf(cmd));
        const ours = requests.filter((r: FusionReceiptRequest) =>
          r.lines.some((l) => l['TransactionType'] === type && String(l['DocumentNumber']) === cmd.poNumber),
        );
        // A processed one wins; else one still pending; else the failed one (whose error is raised again).
        const rank = { processed: 0, pending: 1, error: 2 } as const;
        const hit = [...ours].sort((a, b) => rank[receiptState(a)] - rank[receiptState(b)])[0];
        if (!hit) return undefined;
        const confirmed = await client.awaitReceiptProcessed(hit.HeaderInterfaceId, this.deps.receiptConfirm, hit);
        return { documentId: String(hit.HeaderInterfaceId), processingStatus: confirmed.ProcessingStatusCode ?? null };
      }
      case 'close_for_receiving': {
        const po = await (await this.deps.fusion(cmd.meta.tenantId)).getPurchaseOrder(cmd.poHeaderId);
        return CLOSED.has(po.Status) ? { documentId: null } : undefined;
      }
      default:
        return undefined; // recording an exception (and a DFF or note PATCH) is safe to repeat
    }
  }

  private async write(cmd: Command): Promise<Written & { outcome: Outcome }> {
    switch (cmd.kind) {
      case 'advance_shipment_notice':
      case 'receipt': {
        const client = await this.deps.fusion(cmd.meta.tenantId);
        const asn = cmd.kind === 'advance_shipment_notice';
        const lines: FusionReceiptLineInput[] = cmd.lines.map((l) => ({
          transactionType: asn ? 'SHIP' : 'RECEIVE',
          orderNumber: cmd.poNumber,
          lineNumber: Number(l.lineNumber),
          quantity: Number(l.quantity),
        }));
        const bad = lines.find((l) => !Number.isFinite(l.lineNumber) || !(l.quantity > 0));
        if (bad)
          throw new AppError('FUSION_WRITER.INVALID_COMMAND', `line ${bad.lineNumber} has no usable line number or quantity`, {
            details: { idempotencyKey: cmd.idempotencyKey },
          });
        const created = await client.createReceiptRequest({
          shipmentNumber: shipmentNumberOf(cmd),
          ...(asn
            ? { asnType: 'ASN' as const, shippedDate: cmd.eventAt ?? undefined, ...asnCarrierAndTracking(cmd) }
            : { comments: `Delivered by ShipBob shipment ${cmd.shipmentId ?? ''}`.trim() }),
          lines,
        });
        // The POST only staged interface records: done once Fusion's receiving processor says so.
        const confirmed = await client.awaitReceiptProcessed(created.HeaderInterfaceId, this.deps.receiptConfirm, created);
        return { outcome: 'written', documentId: String(created.HeaderInterfaceId), processingStatus: confirmed.ProcessingStatusCode ?? null };
      }
      case 'close_for_receiving': {
        const client = await this.deps.fusion(cmd.meta.tenantId);
        const po = await client.getPurchaseOrder(cmd.poHeaderId);
        if (CLOSED.has(po.Status)) return { outcome: 'already_written', documentId: null };
        await client.closePurchaseOrder(cmd.poHeaderId, { action: 'closeForReceiving', reason: 'Every line delivered by ShipBob' });
        return { outcome: 'written', documentId: null };
      }
      case 'fulfillment_exception': {
        if (!cmd.writeToFlexfield && !cmd.poNote) return { outcome: 'recorded', documentId: null };
        const client = await this.deps.fusion(cmd.meta.tenantId);
        if (cmd.poNote) await client.updatePurchaseOrderNoteToReceiver(cmd.poHeaderId, cmd.poNote);
        if (cmd.writeToFlexfield) {
          const text = `${cmd.shipbobStatus ?? 'ShipBob'}: ${cmd.exceptionReason ?? ''}`.slice(0, 150);
          await client.updatePurchaseOrderDff(cmd.poHeaderId, { [this.deps.dffStatusSegment]: text });
        }
        return { outcome: 'written', documentId: null };
      }
      default:
        throw new AppError('FUSION_WRITER.INVALID_COMMAND', `unknown PO update kind ${String(cmd.kind)}`);
    }
  }

  private updated(cmd: Command, outcome: Outcome, written: Written): OutgoingRecord<'fulfilment.fusion-po.updated.v1'> {
    return {
      topic: 'fulfilment.fusion-po.updated.v1',
      key: `${cmd.meta.tenantId}:${cmd.poHeaderId}`,
      value: {
        meta: newMeta({ tenantId: cmd.meta.tenantId, source: SOURCE, causedBy: cmd.meta }),
        kind: cmd.kind,
        outcome,
        idempotencyKey: cmd.idempotencyKey,
        poHeaderId: cmd.poHeaderId,
        poNumber: cmd.poNumber,
        referenceId: cmd.referenceId ?? null,
        shipmentId: cmd.shipmentId ?? null,
        fusionDocumentId: written.documentId,
        processingStatus: written.processingStatus ?? null,
      },
    };
  }
}
