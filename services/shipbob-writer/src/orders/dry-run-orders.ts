import type { TopicRecords } from '@mlc/contracts';
import type { HandlerContext, OutgoingRecord } from '@mlc/platform-kafka';
import { dryRunRecord, recordWrites } from '@mlc/tenancy';
import { SOURCE, type SyncShipbobOrderService } from './sync-shipbob-order.service';

type Command = TopicRecords['fulfilment.shipbob-order.requested.v1'];

/**
 * A ShipBob order command for a tenant whose purchase-orders flow is in dry run (settings.dryRun.purchaseOrders):
 * the same use case runs (order look-ups by reference_id, product names, the supersede check, exceptions as live),
 * but its create or cancel is not sent: it becomes an ops.dry-run-write.recorded.v1 record with the exact request.
 * Nothing is synced (no ShipBob order exists, so no webhooks follow); going live and replaying the command
 * (`mlc replay range --flow shipbob-orders`) creates the order once, by its reference_id.
 */
export async function handleInDryRun(
  service: SyncShipbobOrderService,
  baseUrl: string,
  cmd: Command,
  ctx: Pick<HandlerContext, 'exception'>,
): Promise<OutgoingRecord[]> {
  const run = await recordWrites(
    baseUrl,
    () => undefined,
    () => service.handle(cmd, ctx),
  );
  if (run.error !== undefined) throw run.error;
  if (!run.writes.length) return run.result ?? [];
  return run.writes.map((w) =>
    dryRunRecord(cmd.meta, SOURCE, {
      ...w,
      flow: 'purchase-orders',
      partner: 'shipbob',
      operation: /:cancel$/.test(w.path.split('?')[0]!)
        ? 'cancel-order'
        : w.method === 'POST' && /\/order$/.test(w.path.split('?')[0]!)
          ? 'create-order'
          : `${w.method.toLowerCase()}-request`,
      entityType: 'shipbob-order',
      businessId: cmd.referenceId,
      poHeaderId: cmd.poHeaderId,
    }),
  );
}
