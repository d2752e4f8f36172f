// `npm run chaos`: the chaos run with its figures (tools/chaos/chaos.ts). Exit 0 when nothing was lost and nothing
// created twice, 1 when either is not 0, 2 when the run itself failed.
//   npm run chaos                                full size: 10,000 PO lines + 10,000 webhooks, a kill every 10 s
//   CHAOS_PRESET=short npm run chaos             the small run of `npm test` (300 + 300, a kill every 3 s)
//   CHAOS_PO_LINES, CHAOS_WEBHOOKS, CHAOS_KILL_EVERY_MS, CHAOS_TIME_SCALE (1 = ShipBob down for 2 minutes),
//   CHAOS_DRAIN_IDLE_MS, CHAOS_DIR, CHAOS_KAFKA_PORT_BASE (29092), CHAOS_PG_PORT (25432), CHAOS_KEEP=1 (leave it running)
//   CHAOS_AUDIT_WAIT_MS (120000: how long the count waits for audit-projector to catch up)
// Each replica's output, the run's own lines (chaos.log) and the report (report.txt) are left in <CHAOS_DIR>/logs.
import { chaosOptions, runChaos } from './chaos';
import { formatReport } from './report';

export { formatReport };

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
