import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { FusionSandbox, fusionTimestamp } from '@mlc/partners-fusion-simulator';
import {
  collect,
  startService,
  testDatabase,
  testKafka,
  TEST_ENCRYPTION_KEYS,
  waitFor,
  waitForRequests,
  type Collected,
  type LoggedRequestLike,
  type RunningService,
  type TestDatabase,
} from '@mlc/platform-testing';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';

type PoEvent = TopicRecords['erp.purchase-order.changed.v1'];
type ArEvent = TopicRecords['erp.receivables.changed.v1'];
type ExceptionEvent = TopicRecords['ops.exception.raised.v1'];

const KEY = 'opskey-0123456789';
const codec = new AvroCodec();
const decode = <T>(m: KafkaMessage, record: string): T => codec.decode<T>(m.value!, record).value;

describe('oracle-poller against the Fusion sandbox, real Kafka and Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let tenants: TenantConfigService;
  let kafka: Kafka;
  let suffix: string;
  let fusion: FusionSandbox;
  let service: RunningService | undefined;
  let pos: Collected;
  let ar: Collected;
  let exceptions: Collected;

  const poEvents = () => pos.messages.map((m) => decode<PoEvent>(m, 'mlc.erp.PurchaseOrderChanged'));
  const eventsFor = (poHeaderId: number) => poEvents().filter((e) => e.poHeaderId === String(poHeaderId));
  /** Every (PO, LastUpdateDate) pair emitted more than once. */
  const duplicates = () => {
    const seen = new Map<string, number>();
    for (const e of poEvents()) seen.set(`${e.poHeaderId}@${e.lastUpdateDate}`, (seen.get(`${e.poHeaderId}@${e.lastUpdateDate}`) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  };
  /** A first page of a Fusion collection (`resource`) answered with `status`: one poll of that feed began. */
  const firstPage =
    (resource: string, status = 200) =>
    (r: LoggedRequestLike) =>
      r.method === 'GET' && r.path.endsWith(`/${resource}`) && r.status === status && /[?&]offset=0(&|$)/.test(r.query);
  /**
   * "Nothing more comes": two more polls of each feed begin after this call (so one whole cycle ran after it, polls of
   * a feed never overlap), and the collector has read everything on the topic by then.
   */
  const polledAgain = async (collected: Collected, resources: string[] = ['purchaseOrders']) => {
    for (const r of resources) await waitForRequests(fusion, firstPage(r), 2, { what: `two more polls of ${r}` });
    await collected.caughtUp();
  };
  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    KAFKA_TOPIC_SUFFIX: suffix,
    MLC_OPERATOR_API_KEYS: `${KEY}:*`,
    TENANT_CACHE_TTL_MS: '300',
    POLLER_TICK_MS: '100',
    POLLER_PAGE_SIZE: '7',
    POLLER_OVERLAP_MS: '120000',
    POLLER_FAILURE_BACKOFF_MS: '200',
    POLLER_FAILURE_BACKOFF_MAX_MS: '800',
    POLLER_TENANT_REFRESH_MS: '500',
    ...extra,
  });
  const start = async (extra: Record<string, string> = {}) => {
    service = await startService('oracle-poller', env(extra));
    return service;
  };
  const api = (path: string, init: RequestInit = {}, key: string | null = KEY) =>
    fetch(`${service!.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
  const status = async (tenantId = 'demo') =>
    (await (await api(`/poller/tenants/${tenantId}/status`)).json()) as {
      feeds: { feed: string; consecutiveFailures: number; lastError: { code: string } | null; cursor: string | null; running: boolean }[];
    };

  before(async () => {
    db = await testDatabase('oracle_poller');
    ({ kafka, suffix } = await testKafka('oracle-poller'));
    fusion = new FusionSandbox({ seed: 7 });
    await fusion.listen(0);
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    const intervals = { pollingIntervalsMs: { purchaseOrdersMs: 1000, receiptsMs: 1000 } };
    await tenants.createTenant({ id: 'demo', name: 'Demo', settings: intervals }, 'test');
    await tenants.setConnection(
      'demo',
      { partner: 'fusion', baseUrl: fusion.url, auth: { type: 'basic', username: 'mlc.integration', password: 'sandbox-password' } },
      'test',
    );
    // A second tenant whose credentials are wrong: its failures must not hold up 'demo'.
    await tenants.createTenant({ id: 'broken', name: 'Broken', settings: intervals }, 'test');
    await tenants.setConnection(
      'broken',
      { partner: 'fusion', baseUrl: fusion.url, auth: { type: 'basic', username: 'mlc.integration', password: 'wrong-password' } },
      'test',
    );
    pos = await collect(kafka, `erp.purchase-order.changed.v1${suffix}`);
    ar = await collect(kafka, `erp.receivables.changed.v1${suffix}`);
    exceptions = await collect(kafka, `ops.exception.raised.v1${suffix}`);
  });

  after(async () => {
    await service?.stop('SIGKILL');
    await pos?.stop();
    await ar?.stop();
    await exceptions?.stop();
    await fusion?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('emits exactly one event per seeded PO, with supplier, ship-to address, lines and schedules', async () => {
    const seeded = fusion.seedPurchaseOrders({ count: 25 });
    await start();
    await waitFor(() => poEvents().length >= 25, { timeoutMs: 20_000, what: '25 PO events' });
    await polledAgain(pos); // nothing else may come
    const events = poEvents();
    assert.equal(events.length, 25);
    assert.deepEqual(new Set(events.map((e) => e.poHeaderId)), new Set(seeded.map((p) => String(p.POHeaderId))));
    const metrics = await (await fetch(`${service!.url}/metrics`)).text();
    assert.match(metrics, /^mlc_poll_cursor_age_seconds\{flow="purchase-orders",tenant="demo"\} [\d.e+]+$/m, 'poll cursor age per flow and tenant');
    const po = seeded[0]!;
    const e = eventsFor(po.POHeaderId)[0]!;
    assert.equal(
      pos.messages.find((m) => decode<PoEvent>(m, 'mlc.erp.PurchaseOrderChanged').poHeaderId === e.poHeaderId)!.key!.toString(),
      `demo:${po.POHeaderId}`,
    );
    assert.equal(e.meta.tenantId, 'demo');
    assert.equal(e.orderNumber, po.OrderNumber);
    assert.equal(e.lastUpdateDate, po.LastUpdateDate);
    assert.equal(e.status, 'Open');
    assert.equal(e.currencyCode, 'USD');
    assert.equal(e.supplier, po.Supplier);
    assert.match(e.supplierNumber ?? '', /^SUP-/);
    assert.equal(e.shipToLocationCode, po.ShipToLocationCode);
    assert.equal(e.shipTo?.locationCode, po.ShipToLocationCode);
    assert.match(
      e.shipTo?.addressText ?? '',
      /, [A-Z]{2} \d{5}.*, United States$/,
      "ship-to address: the PO's ShipToLocationAddress in Oracle's one-line form",
    );
    assert.equal(e.lines.length, po.lines.length);
    assert.equal(e.lines[0]!.itemNumber, po.lines[0]!.Item);
    assert.equal(e.lines[0]!.quantity, String(po.lines[0]!.schedules[0]!.Quantity));
    assert.equal(e.lines[0]!.schedules?.[0]?.lineLocationId, String(po.lines[0]!.schedules[0]!.LineLocationId));
    assert.deepEqual(duplicates(), []);
  });

  it('a changed PO gives one new event; a change committed late inside the overlap window is caught', async () => {
    const [a, b] = fusion.procurement.pos;
    const before = poEvents().length;
    fusion.procurement.changeQuantity(String(a!.POHeaderId), 1, 99);
    await waitFor(() => eventsFor(a!.POHeaderId).length === 2, { what: 'the changed PO' });
    assert.equal(eventsFor(a!.POHeaderId)[1]!.lines[0]!.quantity, '99');

    // A transaction that committed late: its LastUpdateDate is a minute behind the poller's cursor.
    const late = Date.parse(a!.LastUpdateDate) - 60_000;
    b!.lines[0]!.schedules[0]!.Quantity = 42;
    b!.LastUpdateDate = fusionTimestamp(late);
    await waitFor(() => eventsFor(b!.POHeaderId).some((e) => e.lastUpdateDate === b!.LastUpdateDate), { what: 'the late change' });
    await polledAgain(pos);
    assert.equal(poEvents().length, before + 2);
    assert.deepEqual(duplicates(), []);
  });

  it('survives SIGKILL mid-run, also between the Kafka ack and the Postgres commit: nothing lost, nothing twice', async () => {
    await service!.stop('SIGKILL');
    // Seeded history lies in the past; move the pod's clock on so the new POs are newer than the poller's cursor.
    fusion.advanceClock(3 * 3_600_000);
    const seeded = fusion.seedPurchaseOrders({ count: 120 });
    const ids = new Set(seeded.map((p) => String(p.POHeaderId)));
    const fresh = () =>
      new Set(
        poEvents()
          .filter((e) => ids.has(e.poHeaderId))
          .map((e) => e.poHeaderId),
      ).size;
    // Dies right after the 4th acknowledged batch, before recording it (slow answers keep that after start-up).
    fusion.faults = { latencyMs: 100 };
    await start({ POLLER_FAULT_CRASH_AFTER_PUBLISHES: '4' }).catch((err: Error) => assert.match(err.message, /exited/));
    await waitFor(() => service!.child.exitCode !== null || service!.child.signalCode !== null, { what: 'the injected crash' });
    await waitFor(() => fresh() > 0, { what: 'the batches sent before the crash' });
    assert.ok(fresh() < 120, `only part of the batch was sent before the crash (${fresh()})`);
    // Plain SIGKILL at an arbitrary point of the next run, which first resolves the batch left in flight.
    await start();
    const resolved = await waitFor(() => /"msg":"resolved an in-flight batch[^\n]*"delivered":(\d+)/.exec(service!.output()), {
      what: 'the in-flight batch resolved',
    });
    assert.ok(Number(resolved[1]) > 0, 'the batch sent before the crash was found on the topic');
    await waitFor(() => fresh() >= 60, { timeoutMs: 20_000, what: 'more of the batch' });
    await service!.stop('SIGKILL');
    fusion.faults = {};
    await start();
    await waitFor(() => fresh() === 120, { timeoutMs: 20_000, what: 'all 120 new POs' });
    await polledAgain(pos);
    assert.deepEqual(duplicates(), []);
    assert.equal(poEvents().filter((e) => ids.has(e.poHeaderId)).length, 120);
  });

  it('a Fusion outage is recorded and recovered from; a tenant with bad credentials does not hold up the others', async () => {
    const authRaised = () =>
      exceptions.messages
        .map((m) => decode<ExceptionEvent>(m, 'mlc.ops.ExceptionRaised'))
        .filter((x) => x.meta.tenantId === 'broken' && x.code === 'FUSION.AUTH').length;
    const authBefore = authRaised();
    const po = fusion.procurement.pos[2]!;
    // The outage lasts until a poll has met it (a loaded machine may not poll within a fixed window), then ends.
    fusion.faults = { outageFrom: fusion.now() - 1, outageUntil: fusion.now() + 120_000 };
    fusion.procurement.changeQuantity(String(po.POHeaderId), 1, 7);
    await waitFor(async () => (await status()).feeds.find((f) => f.feed === 'purchase-orders')!.consecutiveFailures > 0, { what: 'a failed poll' });
    assert.equal((await status()).feeds.find((f) => f.feed === 'purchase-orders')!.lastError?.code, 'FUSION.UNAVAILABLE');
    fusion.faults = {};
    await waitFor(() => eventsFor(po.POHeaderId).some((e) => e.lastUpdateDate === po.LastUpdateDate), {
      timeoutMs: 15_000,
      what: 'the change made during the outage',
    });
    await waitFor(async () => (await status()).feeds.find((f) => f.feed === 'purchase-orders')!.consecutiveFailures === 0, { what: 'recovery' });

    // The outage hit 'broken' too; once Fusion answers again its own error is back: the credentials.
    const broken = await waitFor(
      async () => {
        const f = (await status('broken')).feeds.find((x) => x.feed === 'purchase-orders')!;
        return f.lastError?.code === 'FUSION.AUTH' ? f : undefined;
      },
      { what: 'broken to fail on its credentials' },
    );
    assert.ok(broken.consecutiveFailures > 1);
    await waitFor(
      () =>
        exceptions.messages
          .map((m) => decode<ExceptionEvent>(m, 'mlc.ops.ExceptionRaised'))
          .find((x) => x.meta.tenantId === 'broken' && x.code === 'FUSION.AUTH'),
      { what: 'one exception for the bad credentials' },
    );
    // One per failure streak (and feed): the outage in between (UNAVAILABLE, then AUTH again) raises nothing again,
    // however often 'broken' fails on its credentials after it.
    await waitForRequests(fusion, firstPage('purchaseOrders', 401), 2, { what: "two more failed polls of 'broken'" });
    await exceptions.caughtUp();
    if (authBefore > 0) assert.equal(authRaised(), authBefore, 'no second exception for the same streak');
    const metrics = await (await fetch(`${service!.url}/metrics`)).text();
    assert.match(metrics, /oracle_poller_poll_failures_total\{tenant="broken",feed="purchase-orders",code="FUSION.AUTH"\} \d+/);
    assert.deepEqual(duplicates(), []);
  });

  it('operator endpoints: key required, sync one PO now, backfill from a date', async () => {
    assert.equal((await api('/poller/tenants/demo/status', {}, null)).status, 401);
    assert.equal((await api('/poller/tenants/demo/status', {}, 'not-a-valid-key')).status, 401);
    const po = fusion.procurement.pos[3]!;
    const same = await api(`/poller/tenants/demo/purchase-orders/${po.POHeaderId}/sync`, { method: 'POST' });
    assert.equal(same.status, 201);
    assert.deepEqual(await same.json(), { id: String(po.POHeaderId), lastUpdateDate: po.LastUpdateDate, emitted: false, eventId: null });
    const forced = (await (await api(`/poller/tenants/demo/purchase-orders/${po.POHeaderId}/sync?force=true`, { method: 'POST' })).json()) as {
      emitted: boolean;
    };
    assert.equal(forced.emitted, true);
    await waitFor(() => eventsFor(po.POHeaderId).length === 2, { what: 'the forced re-send' });
    assert.equal((await api('/poller/tenants/demo/purchase-orders/999999/sync', { method: 'POST' })).status, 404);

    // Three POs last changed 60 days ago: behind the cursor, so only a backfill reads them.
    const old = fusion.seedPurchaseOrders({ count: 3 });
    for (const p of old) p.LastUpdateDate = fusionTimestamp(fusion.now() - 60 * 86_400_000);
    await polledAgain(pos);
    assert.equal(old.filter((p) => eventsFor(p.POHeaderId).length).length, 0);
    const res = await api('/poller/tenants/demo/backfill', {
      method: 'POST',
      body: JSON.stringify({ since: new Date(Date.now() - 90 * 86_400_000).toISOString(), feeds: ['purchase-orders'] }),
    });
    assert.equal(res.status, 202);
    await waitFor(() => old.every((p) => eventsFor(p.POHeaderId).length === 1), { what: 'the backfilled POs' });
    assert.equal((await api('/poller/tenants/demo/backfill', { method: 'POST', body: JSON.stringify({ since: 'yesterday' }) })).status, 400);
  });

  it('receivables: customer accounts, invoices (with the Shopify cross-reference) and credit memos', async () => {
    const account = fusion.receivables.accounts[0]!;
    const inv = fusion.receivables.createInvoice({
      BusinessUnit: 'Vision Operations',
      TransactionSource: 'Manual',
      TransactionType: 'Invoice',
      TransactionDate: '2026-01-15',
      BillToCustomerNumber: account.AccountNumber,
      CrossReference: 'shopify:#1001',
      receivablesInvoiceLines: [{ Description: 'T-shirt', Quantity: 2, UnitSellingPrice: 12.5 }],
    });
    const arEvents = () => ar.messages.map((m) => decode<ArEvent>(m, 'mlc.erp.ReceivablesChanged'));
    await waitFor(() => arEvents().find((e) => e.entity === 'invoice' && e.fusionId === String(inv.CustomerTransactionId)), { what: 'the invoice event' });
    const e = arEvents().find((x) => x.fusionId === String(inv.CustomerTransactionId))!;
    assert.equal(e.crossReference, 'shopify:#1001');
    assert.equal(e.number, inv.TransactionNumber);
    assert.equal(e.status, 'Incomplete');
    assert.ok(
      arEvents().some((x) => x.entity === 'customer_account' && x.fusionId === String(account.CustomerAccountId) && x.number === account.AccountNumber),
    );

    fusion.receivables.patchInvoice(String(inv.CustomerTransactionId), { InvoiceStatus: 'Complete' });
    const cm = fusion.receivables.createCreditMemo({
      BusinessUnit: 'Vision Operations',
      TransactionSource: 'Manual',
      TransactionType: 'Credit Memo',
      TransactionDate: '2026-01-16',
      BillToCustomerNumber: account.AccountNumber,
      CreditMemoComments: inv.TransactionNumber,
      receivablesCreditMemoLines: [{ LineDescription: 'Refund', LineQuantityCredit: 1, UnitSellingPrice: -12.5 }],
    });
    await waitFor(() => arEvents().find((x) => x.fusionId === String(inv.CustomerTransactionId) && x.status === 'Complete'), { what: 'the completed invoice' });
    await waitFor(() => arEvents().find((x) => x.entity === 'credit_memo' && x.fusionId === String(cm.CustomerTransactionId)), { what: 'the credit memo' });
    await polledAgain(ar, ['receivablesInvoices', 'receivablesCreditMemos']);
    const keys = arEvents().map((x) => `${x.entity}:${x.fusionId}@${x.lastUpdateDate}`);
    assert.equal(new Set(keys).size, keys.length, 'no receivables record emitted twice at one LastUpdateDate');
    assert.equal(arEvents().filter((x) => x.fusionId === String(inv.CustomerTransactionId)).length, 2);
  });

  it('a changed polling interval applies without a restart', async () => {
    await tenants.updateTenant('demo', { settings: { pollingIntervalsMs: { purchaseOrdersMs: 3_600_000, receiptsMs: 1000 } } }, 'test');
    // Two receivables polls 1 s apart: the second began on a snapshot read after the change (cache 300 ms); and the
    // purchase-order cycle running at the change has ended.
    await waitForRequests(fusion, firstPage('receivablesInvoices'), 2, { what: 'two more receivables polls' });
    await waitFor(async () => (await status()).feeds.find((f) => f.feed === 'purchase-orders')!.running === false, { what: 'the PO cycle to end' });
    const from = fusion.requests().at(-1)?.seq ?? 0;
    const po = fusion.procurement.pos[4]!;
    fusion.procurement.changeQuantity(String(po.POHeaderId), 1, 5);
    await polledAgain(pos, ['receivablesInvoices']); // the PO feed would have polled twice meanwhile at its old 1 s
    assert.deepEqual(
      fusion.requests().filter((r) => r.seq > from && firstPage('purchaseOrders')(r)),
      [],
      'hourly now: not polled yet',
    );
    assert.equal(eventsFor(po.POHeaderId).filter((e) => e.lastUpdateDate === po.LastUpdateDate).length, 0, 'hourly now: not polled yet');
    await tenants.updateTenant('demo', { settings: { pollingIntervalsMs: { purchaseOrdersMs: 500, receiptsMs: 1000 } } }, 'test');
    await waitFor(() => eventsFor(po.POHeaderId).some((e) => e.lastUpdateDate === po.LastUpdateDate), { what: 'the change after the interval shrank' });
  });
});
