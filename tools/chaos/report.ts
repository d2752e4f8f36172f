// The chaos run's report as `npm run chaos` prints it and leaves it in <CHAOS_DIR>/logs/report.txt.
import type { ChaosReport } from './chaos';

const s = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Audit entries vs events, once audit-projector caught up, with every difference named by topic. */
function auditLines(a: ChaosReport['audit']): string[] {
  const caught = a.lag === 0 ? `audit-projector caught up, waited ${s(a.waitedMs)}` : `audit-projector STILL ${a.lag} records behind after ${s(a.waitedMs)}`;
  const out = [`audit entries       ${a.entries} for ${a.events} events on the topics audit-projector consumes (${caught})`];
  for (const d of a.differences) {
    const ids = d.eventIds === undefined ? '' : `, ${d.eventIds} distinct event ids`;
    const why =
      d.eventIds === d.entries
        ? 'one entry per event id: the other records repeat an event id already audited (written again after a kill or a retry)'
        : d.entries > d.records
          ? 'more entries than records'
          : a.lag > 0
            ? 'not projected yet'
            : d.eventIds === undefined
              ? 'not read back: records sharing an event id, or events not projected'
              : `${d.eventIds - d.entries} event ids NOT audited`;
    out.push(`  ${d.topic}: ${d.records} records${ids}, ${d.entries} entries (${d.entries - d.records}: ${why})`);
  }
  if (a.notAudited.length)
    out.push(`  not audited by design (audit-projector does not consume them): ${a.notAudited.map((t) => `${t.topic} ${t.records}`).join(', ')}`);
  return out;
}

/** Whether audit entries and events disagree in a way no by-design reason covers: lag left, or event ids not audited once. */
export function auditMismatch(a: ChaosReport['audit']): boolean {
  return a.lag > 0 || a.differences.some((d) => d.eventIds !== d.entries);
}

export function formatReport(r: ChaosReport): string {
  const stages = r.lostByStage.map((x) => `\n  ${String(x.count).padStart(6)}  ${x.stage}`).join('');
  const samples = r.lostSamples.length ? `\n  samples (${r.lostSamples.length}):\n    ${r.lostSamples.join('\n    ')}` : '';
  const auditDiff = r.audit.events - r.audit.entries;
  return [
    '== chaos run',
    `inputs              ${r.inputs.total} (PO lines ${r.inputs.poLines}, ShipBob webhooks ${r.inputs.shipbobWebhooks}, Shopify orders/create ${r.inputs.shopifyOrders})`,
    `outcomes            ${r.outcomes.partnerWrites + r.outcomes.openExceptions} (partner writes ${r.outcomes.partnerWrites}, open exceptions ${r.outcomes.openExceptions})`,
    `lost                ${r.lost}${r.lost ? ' by the first stage that never saw them:' : ''}${stages}${samples}`,
    `duplicates          ${r.duplicates.total} (ShipBob orders ${r.duplicates.shipbobOrders}, Fusion receipts ${r.duplicates.fusionReceipts}, invoices ${r.duplicates.fusionInvoices}, credit memos ${r.duplicates.fusionCreditMemos})${r.duplicateSamples.length ? `\n  ${r.duplicateSamples.join('\n  ')}` : ''}`,
    ...auditLines(r.audit),
    `faults              ${r.faults.kills} replicas SIGKILLed, ${r.faults.crashes} exited by themselves (restarted), ${r.faults.brokerRestarts} broker restart, ShipBob down ${s(r.faults.partnerOutageMs)}, ${r.faults.postgresRestarts} PostgreSQL restart`,
    `time to drain       ${s(r.drainMs)} (whole run ${s(r.totalMs)})`,
    `verdict             ${r.lost === 0 && r.duplicates.total === 0 ? 'CLEAN' : 'FAILED'}`,
    ...(auditMismatch(r.audit)
      ? [
          `AUDIT MISMATCH      ${auditDiff} records without an audit entry${r.audit.lag > 0 ? `, ${r.audit.lag} not projected` : ''} (see the audit lines above)`,
        ]
      : []),
  ].join('\n');
}
