import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '@mlc/platform-testing';
import { chaosOptions, runChaos } from '../../tools/chaos/chaos';
import { formatReport } from '../../tools/chaos/main';

// The short chaos run (`CHAOS_PRESET=short npm run chaos`): its own three-broker cluster and PostgreSQL (other ports
// than the shared ones, which it never touches), two replicas of every service, three tenants; 300 PO lines and 300
// webhooks while a replica is SIGKILLed every 3 s, broker 2 restarts, ShipBob is down for 10 s and PostgreSQL
// restarts. Every input must end in a partner write or an open exception, and nothing may be created twice.
describe('chaos (short preset): nothing lost, nothing created twice', { timeout: 900_000 }, () => {
  it(
    '300 PO lines and 300 webhooks across three tenants survive kills, a broker restart, a partner outage and a PostgreSQL restart',
    { timeout: 900_000 },
    async () => {
      const options = chaosOptions({ ...process.env, CHAOS_PRESET: 'short', CHAOS_DIR: join(REPO_ROOT, '.local/chaos-test') });
      const report = await runChaos({ ...options, kafkaPortBase: 39092, pgPort: 35432 });
      process.stdout.write(`${formatReport(report)}\n`);
      assert.equal(report.inputs.poLines, 300);
      assert.ok(report.inputs.shipbobWebhooks + report.inputs.shopifyOrders >= 300, 'at least 300 webhooks were sent');
      assert.ok(report.faults.kills >= 3 && report.faults.brokerRestarts === 1 && report.faults.postgresRestarts === 1 && report.faults.partnerOutageMs > 0);
      assert.deepEqual({ lost: report.lost, samples: report.lostSamples }, { lost: 0, samples: [] });
      assert.deepEqual(report.duplicates, { shipbobOrders: 0, fusionReceipts: 0, fusionInvoices: 0, fusionCreditMemos: 0, total: 0 });
      assert.ok(report.audit.entries > 0);
    },
  );
});
