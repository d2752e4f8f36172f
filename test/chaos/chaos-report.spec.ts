import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChaosReport } from '../../tools/chaos/chaos';
import { formatReport } from '../../tools/chaos/report';

const base: ChaosReport = {
  inputs: { poLines: 300, shipbobWebhooks: 76, shopifyOrders: 150, total: 526 },
  outcomes: { partnerWrites: 523, openExceptions: 0 },
  lost: 3,
  lostSamples: [
    'chaos1 Shopify order 7: orders/create webhook 9 attempts, last HTTP 503, gave up after all retries; subscription deleted by the sandbox (8 failed deliveries); not in gateway_deliveries',
  ],
  lostByStage: [
    { stage: 'shopify order: not in the gateway ledger (webhook gave up, subscription deleted, no sweep)', count: 2 },
    { stage: 'po line: emitted by oracle-poller, not in mapper_po_orders', count: 1 },
  ],
  duplicateSamples: [],
  duplicates: { shipbobOrders: 0, fusionReceipts: 0, fusionInvoices: 0, fusionCreditMemos: 0, total: 0 },
  audit: {
    entries: 990,
    events: 1000,
    lag: 0,
    waitedMs: 2_000,
    notAudited: [{ topic: 'fulfilment.po.received.v1.dlq', records: 2 }],
    differences: [{ topic: 'shopify.webhook.received.v1', records: 510, entries: 500, eventIds: 500 }],
  },
  faults: { kills: 10, crashes: 0, brokerRestarts: 1, partnerOutageMs: 10_000, postgresRestarts: 1 },
  drainMs: 60_000,
  totalMs: 180_000,
};

// The report `npm run chaos` prints (and leaves in logs/report.txt): lost inputs grouped by stage with samples, and
// audit entries vs events with each difference named by topic.
describe('chaos report', () => {
  it('groups the lost inputs by stage, most first, then prints the samples with their reason', () => {
    const text = formatReport(base);
    assert.match(
      text,
      /lost {16}3 by the first stage that never saw them:\n {7}2 {2}shopify order: not in the gateway ledger \(webhook gave up, subscription deleted, no sweep\)\n {7}1 {2}po line: emitted by oracle-poller, not in mapper_po_orders\n {2}samples \(1\):\n {4}chaos1 Shopify order 7: orders\/create webhook 9 attempts, last HTTP 503, gave up/,
    );
    assert.match(text, /verdict {13}FAILED/);
  });

  it('names each audit difference by topic and the topics audit-projector does not consume; no mismatch line when it caught up', () => {
    const text = formatReport({ ...base, lost: 0, lostSamples: [], lostByStage: [] });
    assert.match(text, /audit entries {7}990 for 1000 events on the topics audit-projector consumes \(audit-projector caught up, waited 2 s\)/);
    assert.match(
      text,
      /shopify\.webhook\.received\.v1: 510 records, 500 distinct event ids, 500 entries \(-10: one entry per event id: the other records repeat an event id/,
    );
    assert.match(text, /not audited by design \(audit-projector does not consume them\): fulfilment\.po\.received\.v1\.dlq 2/);
    assert.match(text, /verdict {13}CLEAN$/);
  });

  it('prints an audit mismatch when audit-projector did not catch up, while the verdict stays lost/duplicates based', () => {
    const text = formatReport({ ...base, lost: 0, lostSamples: [], lostByStage: [], audit: { ...base.audit, lag: 40, waitedMs: 120_000 } });
    assert.match(text, /audit-projector STILL 40 records behind after 120 s/);
    assert.match(text, /verdict {13}CLEAN\nAUDIT MISMATCH {6}10 records without an audit entry, 40 not projected/);
  });

  it('prints an audit mismatch when an event id read back from a topic has no audit entry', () => {
    const audit = { ...base.audit, differences: [{ topic: 'shopify.webhook.received.v1', records: 510, entries: 500, eventIds: 505 }] };
    const text = formatReport({ ...base, lost: 0, lostSamples: [], lostByStage: [], audit });
    assert.match(text, /510 records, 505 distinct event ids, 500 entries \(-10: 5 event ids NOT audited\)/);
    assert.match(text, /\nAUDIT MISMATCH {6}10 records without an audit entry \(see the audit lines above\)$/);
  });
});
