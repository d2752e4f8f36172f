import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners, type Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import {
  ledgerOfInvoice,
  orderCancellation,
  orderInvoice,
  receivablesKeys,
  refundCreditMemo,
  type AccountingConfig,
  type ShopifyOrder,
  type ShopifyRefund,
} from '@mlc/domain-accounting';
import { FusionClient } from '@mlc/partners-fusion-client';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { EventPublisher, newMeta, topicName } from '@mlc/platform-kafka';
import { collect, startService, testDatabase, testKafka, waitFor, TEST_ENCRYPTION_KEYS, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';

const TENANT = 'arrival';
const SHOP = 'arrival.myshopify.com';
const REQUESTED = 'accounting.fusion-receivables.requested.v1';
const MAX_WAIT_MS = 12_000;
const OPS_KEY = 'opskey-arrival';
const codec = new AvroCodec();
type Requested = TopicRecords[typeof REQUESTED];
type Synced = TopicRecords['accounting.fusion-receivables.synced.v1'];
type Raised = TopicRecords['ops.exception.raised.v1'];

/** An order of 2 × 20.00 + 1 × 10.00 with 13 % tax and 10.00 shipping (taxed): 67.80. */
function order(id: string, name: string): ShopifyOrder {
  return {
    id,
    name,
    currency: 'USD',
    processed_at: '2026-11-05T10:00:00-05:00',
    total_price: '67.80',
    taxes_included: false,
    customer: null,
    line_items: [
      { id: `${id}1`, title: 'Mug', quantity: 2, price: '20.00', tax_lines: [{ title: 'HST', price: '5.20', rate: '0.13' }] },
      { id: `${id}2`, title: 'Spoon', quantity: 1, price: '10.00', tax_lines: [{ title: 'HST', price: '1.30', rate: '0.13' }] },
    ],
    shipping_lines: [{ title: 'Standard', price: '10.00', tax_lines: [{ title: 'HST', price: '1.30', rate: '0.13' }] }],
  } as ShopifyOrder;
}

/** One refunded mug with its tax: 22.60. */
function refundOf(o: ShopifyOrder, refundId: string): ShopifyRefund {
  return {
    id: refundId,
    order_id: o.id,
    processed_at: '2026-11-06T10:00:00-05:00',
    refund_line_items: [{ id: `rl${refundId}`, line_item_id: o.line_items[0]!.id, quantity: 1, subtotal: '20.00', total_tax: '2.60' }],
    transactions: [{ kind: 'refund', status: 'success', amount: '22.60' }],
  } as ShopifyRefund;
}

/**
 * Order of arrival and cancellations in fusion-writer (a real process) against the strict Fusion sandbox, real Kafka
 * and Postgres: a command that needs an invoice Fusion does not hold yet waits aside (not in its partition) and runs
 * right after the invoice is written; one that waits too long becomes an exception that a replay runs; a cancelled
 * order's invoice is credited for what is left on it, or deleted while Incomplete, once.
 */
describe('fusion-writer receivables: commands that wait for their invoice, and cancellations (integration)', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let ds: DataSource;
  let fusion: FusionSandbox;
  let client: FusionClient;
  let publisher: EventPublisher;
  let writer: RunningService;
  let config: AccountingConfig;
  let synced: Awaited<ReturnType<typeof collect>>;
  let raised: Awaited<ReturnType<typeof collect>>;
  let requested: Awaited<ReturnType<typeof collect>>;

  const syncedOf = (key: string): Synced[] =>
    synced.messages.map((m) => codec.decodeFor('accounting.fusion-receivables.synced.v1', m.value!).value).filter((s) => s.idempotencyKey === key);
  const raisedOf = (key: string): Raised[] =>
    raised.messages.map((m) => codec.decodeFor('ops.exception.raised.v1', m.value!).value).filter((e) => e.businessId === key);
  const requestedOf = (key: string): Requested[] =>
    requested.messages.map((m) => codec.decodeFor(REQUESTED, m.value!).value).filter((c) => c.idempotencyKey === key);
  const invoiceOf = (ref: string) => fusion.receivables.invoices.find((i) => i.fields['CrossReference'] === ref);
  const memosOf = (ref: string) => {
    const inv = invoiceOf(ref);
    return inv ? fusion.written.invoiceCredits.filter((c) => c['PreviousCustomerTransactionId'] === inv.CustomerTransactionId) : [];
  };
  async function waiting(): Promise<number | undefined> {
    const text = await (await fetch(`${writer.url}/metrics`)).text();
    const m = new RegExp(`^mlc_receivables_waiting\\{[^}]*tenant="${TENANT}"[^}]*\\} (\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  }
  async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
    try {
      return await waitFor(check, { what, timeoutMs });
    } catch (err) {
      throw new Error(`${(err as Error).message}\nfusion-writer: ${writer.output().slice(-3000)}`);
    }
  }

  function command(kind: Requested['kind'], o: ShopifyOrder, idempotencyKey: string, document: unknown, refundId: string | null = null): Requested {
    return {
      meta: newMeta({ tenantId: TENANT, source: 'mapper' }),
      kind,
      idempotencyKey,
      shopDomain: SHOP,
      shopifyOrderId: o.id,
      shopifyOrderName: o.name ?? null,
      shopifyCustomerId: null,
      shopifyRefundId: refundId,
      mappingVersion: 1,
      document: JSON.stringify(document),
    };
  }
  const send = (c: Requested) => publisher.publish({ topic: REQUESTED, key: `${TENANT}:${c.shopifyOrderId}`, value: c });
  const invoiceCommand = (o: ShopifyOrder) =>
    command('invoice_create', o, receivablesKeys.invoice(SHOP, o.id), orderInvoice(o, config, 'email-then-external-id'));
  const refundCommand = (o: ShopifyOrder, refundId: string) => {
    const inv = orderInvoice(o, config, 'email-then-external-id');
    const doc = refundCreditMemo(refundOf(o, refundId), { id: o.id, name: o.name ?? null, billTo: inv.billTo }, ledgerOfInvoice(inv), config)!;
    return command('credit_memo', o, receivablesKeys.refund(SHOP, o.id, refundId), doc, refundId);
  };
  const cancelCommand = (o: ShopifyOrder) =>
    command(
      'invoice_amend',
      o,
      receivablesKeys.cancellation(SHOP, o.id),
      orderCancellation({ ...o, cancelled_at: '2026-11-07T09:00:00-05:00', cancel_reason: 'customer' }, o.id, config),
    );

  /** Two order ids whose records (key tenant:order) go to the same partition of the requested topic. */
  async function samePartitionOrders(): Promise<[string, string]> {
    const admin = kafka.admin();
    await admin.connect();
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topicName(REQUESTED, suffix)] })).topics;
    await admin.disconnect();
    const partitionMetadata = meta!.partitions;
    const partition = Partitioners.DefaultPartitioner();
    const of = (id: string) => partition({ topic: meta!.name, partitionMetadata, message: { key: `${TENANT}:${id}`, value: null } });
    const first = '7100000000000001';
    for (let n = 2n; n < 1000n; n++) {
      const other = String(7100000000000000n + n);
      if (of(other) === of(first)) return [first, other];
    }
    throw new Error('no two keys on one partition');
  }

  before(async () => {
    ({ kafka, suffix } = await testKafka('fusion-writer-arrival'));
    db = await testDatabase('fusion_writer_arrival');
    fusion = new FusionSandbox();
    const url = await fusion.listen();
    client = new FusionClient({ baseUrl: url, auth: { kind: 'basic', user: fusion.options.basicUser, password: fusion.options.basicPassword } });
    config = {
      businessUnit: 'US1 Business Unit',
      transactionSource: 'SHOPIFY',
      transactionType: 'Invoice',
      paymentTerms: 'IMMEDIATE',
      revenueAccountCombination: '101-10-4000-000',
      guestCustomerAccountNumber: fusion.receivables.accounts[0]!.AccountNumber,
    };
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    const tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    await tenants.createTenant({ id: TENANT, name: 'Arrival' }, 'test');
    await tenants.setConnection(
      TENANT,
      { partner: 'fusion', baseUrl: url, auth: { type: 'basic', username: fusion.options.basicUser, password: fusion.options.basicPassword } },
      'test',
    );
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    synced = await collect(kafka, topicName('accounting.fusion-receivables.synced.v1', suffix));
    raised = await collect(kafka, topicName('ops.exception.raised.v1', suffix));
    requested = await collect(kafka, topicName(REQUESTED, suffix));
    writer = await startService('fusion-writer', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      FUSION_RECEIVABLES_MAX_WAIT_MS: String(MAX_WAIT_MS),
      FUSION_RECEIVABLES_WAIT_CHECK_MS: '500',
      MLC_OPERATOR_API_KEYS: `${OPS_KEY}:*`,
    });
  });

  after(async () => {
    await writer?.stop();
    for (const c of [synced, raised, requested]) await c?.stop();
    await publisher?.disconnect();
    await fusion?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('a refund that arrives before its invoice waits aside: the partition goes on, and the memo is written once right after the invoice, without a replay', async () => {
    const [a, b] = await samePartitionOrders();
    const orderA = order(a, '#A1');
    const orderB = order(b, '#B1');
    const refund = refundCommand(orderA, '801');
    await send(refund);
    await until(async () => (await waiting()) === 1 || undefined, 'the refund shown waiting');
    const listed = (await (await fetch(`${writer.url}/receivables/tenants/${TENANT}/waiting`, { headers: { 'x-api-key': OPS_KEY } })).json()) as {
      waiting: { idempotencyKey: string; waitsForInvoice: string; kind: string }[];
    };
    assert.deepEqual(
      listed.waiting.map((w) => [w.idempotencyKey, w.kind, w.waitsForInvoice]),
      [[refund.idempotencyKey, 'credit_memo', a]],
    );
    assert.equal((await fetch(`${writer.url}/receivables/tenants/${TENANT}/waiting`)).status, 401);
    // Another order's invoice behind it on the same partition is written while the refund waits.
    await send(invoiceCommand(orderB));
    const [bDone] = await until(
      () => (syncedOf(receivablesKeys.invoice(SHOP, b)).length ? syncedOf(receivablesKeys.invoice(SHOP, b)) : undefined),
      "the other order's invoice",
    );
    assert.equal(bDone!.outcome, 'created');
    assert.equal(syncedOf(refund.idempotencyKey).length, 0, 'the refund has not been written: its invoice is not there');
    assert.deepEqual(raisedOf(refund.idempotencyKey), [], 'nothing parked');

    await send(invoiceCommand(orderA));
    const [memo] = await until(
      () => (syncedOf(refund.idempotencyKey).length ? syncedOf(refund.idempotencyKey) : undefined),
      'the refund written after the invoice',
    );
    assert.equal(memo!.outcome, 'created');
    assert.equal(memo!.amount, '-22.60');
    assert.deepEqual(
      memosOf(a).map((m) => m['EnteredAmount']),
      [-22.6],
    );
    // Sent again by the writer as a new event caused by the refund as it arrived (no operator, no replay headers).
    const again = requestedOf(refund.idempotencyKey);
    assert.equal(again.length, 2);
    assert.equal(again[1]!.meta.causationId, refund.meta.eventId);
    assert.equal(again[1]!.meta.source, 'fusion-writer');
    assert.deepEqual(raisedOf(refund.idempotencyKey), []);
    await until(async () => (await waiting()) === 0 || undefined, 'nothing waiting any more');

    // A later write or replay of the invoice sends nothing more, and writes no second memo.
    await send({ ...invoiceCommand(orderA) });
    await until(() => syncedOf(receivablesKeys.invoice(SHOP, a)).length === 2 || undefined, 'the repeated invoice answered');
    assert.equal(requestedOf(refund.idempotencyKey).length, 2);
    assert.equal(memosOf(a).length, 1);
  });

  it('a command that waits longer than FUSION_RECEIVABLES_MAX_WAIT_MS becomes an exception with a clear message, and its replay writes the memo once the invoice exists', async () => {
    const orderC = order('7200000000000001', '#C1');
    const refund = refundCommand(orderC, '802');
    const sentAt = Date.now();
    await send(refund);
    const [exc] = await until(
      () => (raisedOf(refund.idempotencyKey).length ? raisedOf(refund.idempotencyKey) : undefined),
      'the exception after the deadline',
      MAX_WAIT_MS + 30_000,
    );
    assert.ok(Date.now() - sentAt >= MAX_WAIT_MS - 1_000, 'not raised before its deadline');
    assert.equal(exc!.code, 'FUSION_WRITER.INVOICE_NEVER_WRITTEN');
    assert.equal(exc!.entityType, 'fusion-receivables');
    assert.match(exc!.message, /credit_memo .* waited \d+ min .* for invoice 7200000000000001 of Shopify order #C1, which was never written to Fusion/);
    assert.equal((JSON.parse(exc!.details ?? '{}') as Record<string, unknown>)['invoice'], orderC.id);
    await until(async () => (await waiting()) === 0 || undefined, 'no longer waiting');

    // The parked record is the command as a new event: an operator's replay (raw bytes to the source topic) runs it.
    const parked = codec.decodeFor(REQUESTED, exc!.payload).value;
    assert.equal(parked.idempotencyKey, refund.idempotencyKey);
    assert.notEqual(parked.meta.eventId, refund.meta.eventId);
    await send(invoiceCommand(orderC));
    await until(() => syncedOf(receivablesKeys.invoice(SHOP, orderC.id)).length || undefined, 'the invoice');
    assert.equal(syncedOf(refund.idempotencyKey).length, 0, 'an expired command is not released by its invoice');
    await publisher.publishRaw(topicName(REQUESTED, suffix), [{ key: exc!.sourceKey ?? null, value: exc!.payload }]);
    const [memo] = await until(() => (syncedOf(refund.idempotencyKey).length ? syncedOf(refund.idempotencyKey) : undefined), 'the replayed refund');
    assert.equal(memo!.outcome, 'created');
    assert.equal(memosOf(orderC.id).length, 1);
  });

  it("a cancelled order's Complete invoice is credited for what is left on it after a partial refund; a repeated cancellation writes nothing more", async () => {
    const orderD = order('7300000000000001', '#D1');
    await send(invoiceCommand(orderD));
    await send(refundCommand(orderD, '803'));
    await until(() => syncedOf(receivablesKeys.refund(SHOP, orderD.id, '803')).length || undefined, 'the partial refund');
    const cancel = cancelCommand(orderD);
    await send(cancel);
    const [done] = await until(() => (syncedOf(cancel.idempotencyKey).length ? syncedOf(cancel.idempotencyKey) : undefined), 'the cancellation');
    assert.equal(done!.outcome, 'created');
    assert.equal(done!.amount, '-45.20', '67.80 billed, 22.60 already refunded');
    const memos = memosOf(orderD.id);
    assert.deepEqual(
      memos.map((m) => m['EnteredAmount']),
      [-22.6, -45.2],
    );
    assert.equal(memos[1]!['CreditMemoComments'], 'Shopify order #D1 cancelled');
    assert.equal(memos[1]!['SentTransactionNumber'], `C${BigInt(orderD.id).toString(36).toUpperCase()}`);

    await send({ ...cancel, meta: newMeta({ tenantId: TENANT, source: 'mapper' }) });
    await until(() => syncedOf(cancel.idempotencyKey).length === 2 || undefined, 'the repeated cancellation answered');
    assert.equal(syncedOf(cancel.idempotencyKey)[1]!.outcome, 'already_existed');
    assert.equal(memosOf(orderD.id).length, 2, 'no third memo');
    // A refund Shopify reports after the cancellation finds nothing left, and that is no exception.
    const late = refundCommand(orderD, '804');
    await send(late);
    const [lateDone] = await until(() => (syncedOf(late.idempotencyKey).length ? syncedOf(late.idempotencyKey) : undefined), 'the late refund');
    assert.equal(lateDone!.outcome, 'unchanged');
    assert.deepEqual(raisedOf(late.idempotencyKey), []);
    assert.equal(memosOf(orderD.id).length, 2);
  });

  it("a cancelled order's Incomplete invoice is deleted (voided) once; a repeated cancellation deletes nothing more", async () => {
    const orderE = order('7400000000000001', '#E1');
    const doc = orderInvoice(orderE, config, 'email-then-external-id');
    // An invoice left Incomplete (e.g. by a writer stopped between create and complete).
    const site = fusion.receivables.accounts[0]!;
    const incomplete = await client.createInvoice({
      BusinessUnit: doc.businessUnit,
      TransactionSource: doc.transactionSource,
      TransactionType: doc.transactionType,
      TransactionDate: doc.transactionDate,
      BillToCustomerNumber: site.AccountNumber,
      PaymentTerms: doc.paymentTerms,
      InvoiceCurrencyCode: doc.currency,
      CrossReference: doc.crossReference,
      Comments: doc.comments,
      receivablesInvoiceLines: doc.lines.map((l) => ({
        LineNumber: l.lineNumber,
        Description: l.description,
        Quantity: Number(l.quantity),
        UnitSellingPrice: Number(l.unitSellingPrice),
      })),
    });
    assert.equal(invoiceOf(orderE.id)!.fields['InvoiceStatus'], 'Incomplete');
    const cancel = cancelCommand(orderE);
    await send(cancel);
    const [done] = await until(() => (syncedOf(cancel.idempotencyKey).length ? syncedOf(cancel.idempotencyKey) : undefined), 'the cancellation');
    assert.equal(done!.outcome, 'updated');
    assert.equal(done!.fusionTransactionNumber, incomplete.TransactionNumber);
    assert.equal(invoiceOf(orderE.id), undefined, 'the invoice is gone');
    assert.deepEqual(fusion.written.invoiceDeletes.filter((d) => String(d['CustomerTransactionId']) === incomplete.CustomerTransactionId).length, 1);
    assert.deepEqual(memosOf(orderE.id), []);

    await send({ ...cancel, meta: newMeta({ tenantId: TENANT, source: 'mapper' }) });
    await until(() => syncedOf(cancel.idempotencyKey).length === 2 || undefined, 'the repeated cancellation answered');
    assert.equal(fusion.written.invoiceDeletes.length, 1, 'nothing more deleted');
    assert.deepEqual(raisedOf(cancel.idempotencyKey), []);
  });
});
