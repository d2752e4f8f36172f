import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import type { TopicRecords } from '@mlc/contracts';
import { customerDocument, orderInvoice, type AccountingConfig, type ShopifyOrder } from '@mlc/domain-accounting';
import { FusionClient } from '@mlc/partners-fusion-client';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { newMeta } from '@mlc/platform-kafka';
import { logger } from '@mlc/platform-telemetry';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { ReceivablesLedger } from './receivables/receivables.ledger';
import { ReceivablesWriteService } from './receivables/receivables-write.service';
import { WriteClaims } from './write-claims';
import { TEST_ACCOUNTING as CONFIG } from './fixtures/accounting';

type Requested = TopicRecords['accounting.fusion-receivables.requested.v1'];

function order(id: string, customerId: string): ShopifyOrder {
  return {
    id,
    name: `#${id}`,
    currency: 'USD',
    processed_at: '2026-11-02T10:15:00Z',
    total_price: '50.00',
    taxes_included: false,
    customer: {
      id: customerId,
      email: `c${customerId}@example.com`,
      first_name: 'Ada',
      last_name: `Claim ${customerId}`,
      updated_at: '2026-11-02T10:00:00Z',
      default_address: { address1: '150 Elgin St', city: 'Ottawa', country_code: 'CA', zip: 'K1P 1J1' },
    },
    line_items: [{ id: '1', title: 'Mug', quantity: 2, price: '25.00', tax_lines: [] }],
    shipping_lines: [],
  };
}

// The chaos run's duplicate invoice: one command handled by two fusion-writer replicas at once (a replica that lost
// its partition in a rebalance while still working on a record, and the replica that read the record again). Each
// replica here has its own pool, as two processes have.
describe('fusion-writer write claims: two replicas on one command create one document', () => {
  const sandbox = new FusionSandbox({ seed: 11 });
  let db: TestDatabase;
  const pools: Pool[] = [];
  let replicas: ReceivablesWriteService[] = [];

  before(async () => {
    db = await testDatabase('fw_write_claims');
    const url = await sandbox.listen(0);
    const client = new FusionClient({ baseUrl: url, auth: { kind: 'basic', user: sandbox.options.basicUser, password: sandbox.options.basicPassword } });
    replicas = [1, 2].map(() => {
      const pool = new Pool({ connectionString: db.url, max: 4 });
      pools.push(pool);
      return new ReceivablesWriteService(async () => client, new ReceivablesLedger(pool), logger('test', 'error'), { claims: new WriteClaims(pool) });
    });
  });
  after(async () => {
    await sandbox.close();
    await Promise.all(pools.map((p) => p.end()));
    await db?.drop();
  });

  const cmd = (o: ShopifyOrder, kind: Requested['kind'], idempotencyKey: string, document: unknown): Requested => ({
    meta: newMeta({ tenantId: 't1', source: 'test' }),
    kind,
    idempotencyKey,
    shopDomain: 'claims.myshopify.com',
    shopifyOrderId: kind === 'customer_upsert' ? null : o.id,
    shopifyOrderName: kind === 'customer_upsert' ? null : (o.name ?? null),
    shopifyCustomerId: o.customer!.id,
    shopifyRefundId: null,
    mappingVersion: 1,
    document: JSON.stringify(document),
  });
  const outcome = (out: Awaited<ReturnType<ReceivablesWriteService['handle']>>) => (out[0]!.value as { outcome: string }).outcome;
  const parties = (customerId: string) =>
    sandbox.receivables.parties.filter((p) => p.SourceSystemReference.some((r) => String(r['SourceSystemReferenceValue']) === customerId)).length;

  it('the same invoice command on both replicas at once: one invoice, one customer; the other replica finds them', async () => {
    const o = order('5001', '701');
    const invoice = cmd(o, 'invoice_create', 'claims:invoice:5001', orderInvoice(o, CONFIG, 'external-id-then-email'));
    const outs = await Promise.all(replicas.map((r) => r.handle(invoice)));
    assert.deepEqual(outs.map(outcome).sort(), ['already_existed', 'created']);
    assert.equal(sandbox.receivables.invoices.filter((i) => i.fields['CrossReference'] === '5001').length, 1);
    assert.equal(parties('701'), 1);
  });

  it("a customer command and the customer's first invoice side by side (two partitions): one Fusion customer", async () => {
    const o = order('5002', '702');
    const customer = cmd(o, 'customer_upsert', 'claims:customer:702', customerDocument(o.customer!, 'external-id-then-email'));
    const invoice = cmd(o, 'invoice_create', 'claims:invoice:5002', orderInvoice(o, CONFIG, 'external-id-then-email'));
    await Promise.all([replicas[0]!.handle(customer), replicas[1]!.handle(invoice)]);
    assert.equal(parties('702'), 1);
    assert.equal(sandbox.receivables.invoices.filter((i) => i.fields['CrossReference'] === '5002').length, 1);
  });
});
