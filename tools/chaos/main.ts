// `npm run chaos`: the chaos run with its figures (tools/chaos/chaos.ts). Exit 0 when nothing was lost and nothing
// created twice, 1 when either is not 0, 2 when the run itself failed.
//   npm run chaos                                full size: 10,000 PO lines + 10,000 webhooks, a kill every 10 s
//   CHAOS_PRESET=short npm run chaos             the small run of `npm test` (300 + 300, a kill every 3 s)
//   CHAOS_PO_LINES, CHAOS_WEBHOOKS, CHAOS_KILL_EVERY_MS, CHAOS_TIME_SCALE (1 = ShipBob down for 2 minutes),
//   CHAOS_DRAIN_IDLE_MS, CHAOS_DIR, CHAOS_KAFKA_PORT_BASE (29092), CHAOS_PG_PORT (25432), CHAOS_KEEP=1 (leave it running)
import { chaosOptions, runChaos, type ChaosReport } from './chaos';

export function formatReport(r: ChaosReport): string {
  const s = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  return [
    '== chaos run',
    `inputs              ${r.inputs.total} (PO lines ${r.inputs.poLines}, ShipBob webhooks ${r.inputs.shipbobWebhooks}, Shopify orders/create ${r.inputs.shopifyOrders})`,
    `outcomes            ${r.outcomes.partnerWrites + r.outcomes.openExceptions} (partner writes ${r.outcomes.partnerWrites}, open exceptions ${r.outcomes.openExceptions})`,
    `lost                ${r.lost}${r.lostSamples.length ? `\n  ${r.lostSamples.join('\n  ')}` : ''}`,
    `duplicates          ${r.duplicates.total} (ShipBob orders ${r.duplicates.shipbobOrders}, Fusion receipts ${r.duplicates.fusionReceipts}, invoices ${r.duplicates.fusionInvoices}, credit memos ${r.duplicates.fusionCreditMemos})${r.duplicateSamples.length ? `\n  ${r.duplicateSamples.join('\n  ')}` : ''}`,
    `audit entries       ${r.audit.entries} for ${r.audit.events} events`,
    `faults              ${r.faults.kills} replicas SIGKILLed, ${r.faults.crashes} exited by themselves (restarted), ${r.faults.brokerRestarts} broker restart, ShipBob down ${s(r.faults.partnerOutageMs)}, ${r.faults.postgresRestarts} PostgreSQL restart`,
    `time to drain       ${s(r.drainMs)} (whole run ${s(r.totalMs)})`,
    `verdict             ${r.lost === 0 && r.duplicates.total === 0 ? 'CLEAN' : 'FAILED'}`,
  ].join('\n');
}

if (require.main === module) {
  runChaos(chaosOptions()).then(
    (r) => {
      process.stdout.write(`${formatReport(r)}\n`);
      process.exit(r.lost === 0 && r.duplicates.total === 0 ? 0 : 1);
    },
    (err: unknown) => {
      process.stderr.write(`chaos run failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(2);
    },
  );
}
