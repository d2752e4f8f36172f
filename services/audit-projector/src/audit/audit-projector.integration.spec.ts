import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { AvroCodec, type EventMeta, type TopicRecords } from '@mlc/contracts';
import { FlowControl } from '@mlc/platform-flow-control';
import { EventPublisher, newMeta } from '@mlc/platform-kafka';
import { collect, startService, testDatabase, testKafka, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { AUDIT_TABLES } from './audit.data-source';

const ALL_KEY = 'ops-all-key-1';
const ACME_KEY = 'acme-key-1';
const T = 'acme';
const OTHER = 'globex';

describe('audit-projector: projections, exceptions queue and ops API on real Kafka and Postgres', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let db2: TestDatabase | undefined;
  let svc: RunningService;
  let rebuilt: RunningService | undefined;
  let publisher: EventPublisher;
  let pg: Client;
  let hooks: Server;
  const alerts: Array<{ count: number; alerts: Array<{ kind: string }> }> = [];
  const codec = new AvroCodec();
  const cleanups: Array<() => Promise<unknown>> = [];

  const api = async (method: string, path: string, body?: unknown, key: string | null = ALL_KEY) => {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: { ...(key ? { 'x-api-key': key } : {}), 'x-mlc-actor': 'tester', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };

  const meta = (tenantId: string, opts: { causedBy?: EventMeta; at?: number } = {}) =>
    newMeta({ tenantId, source: 'test', causedBy: opts.causedBy, now: opts.at });

  const order = (tenantId: string, poHeaderId: string, lineId: string, at?: number): TopicRecords['fulfilment.shipbob-order.requested.v1'] => ({
    meta: meta(tenantId, { at }),
    action: 'create',
    referenceId: `po${poHeaderId}-l${lineId}-r0`,
    revision: 0,
    supersedesReferenceId: null,
    poHeaderId,
    poNumber: `PO-${poHeaderId}`,
    poLastUpdateDate: '2026-01-05T10:00:00Z',
    fulfillmentCenterId: null,
    shippingMethod: 'Standard',
    recipient: null,
    products: [{ poLineId: lineId, lineNumber: '1', itemNumber: 'ITEM-1', sku: null, productId: null, quantity: 3, uom: 'Each' }],
    mappingVersion: 4,
    reason: null,
  });

  /** What the consumer parks: an ExceptionRaised carrying the command's bytes. */
  const parked = (cmd: TopicRecords['fulfilment.shipbob-order.requested.v1'], bytes: Buffer, at?: number): TopicRecords['ops.exception.raised.v1'] => ({
    meta: meta(cmd.meta.tenantId, { causedBy: cmd.meta, at }),
    service: 'shipbob-writer',
    code: 'SHIPBOB.REJECTED',
    category: 'partner-rejected',
    message: 'ShipBob refused the order: unknown product',
    attempts: 1,
    sourceTopic: 'fulfilment.shipbob-order.requested.v1',
    sourcePartition: 0,
    sourceOffset: '0',
    sourceKey: `${cmd.meta.tenantId}:${cmd.poHeaderId}`,
    sourceEventId: cmd.meta.eventId,
    entityType: 'shipbob-order',
    businessId: cmd.referenceId,
    details: JSON.stringify({ request: { method: 'POST', path: '/2.0/order' }, response: { status: 422, body: { errors: ['unknown product'] } } }),
    payload: bytes,
  });

  const synced = (cmd: TopicRecords['fulfilment.shipbob-order.requested.v1'], at?: number): TopicRecords['fulfilment.shipbob-order.synced.v1'] => ({
    meta: meta(cmd.meta.tenantId, { causedBy: cmd.meta, at }),
    outcome: 'created',
    referenceId: cmd.referenceId,
    shipbobOrderId: '9001',
    channelId: '1',
    poHeaderId: cmd.poHeaderId,
    poNumber: cmd.poNumber,
    poLineIds: cmd.products.map((p) => p.poLineId),
    fulfillmentCenterId: null,
    status: 'Processing',
  });

  const pgCount = async (client: Client, sql: string, args: unknown[] = []) => Number((await client.query(sql, args)).rows[0].n);

  before(async () => {
    ({ kafka, suffix } = await testKafka('audit'));
    db = await testDatabase('audit');
    hooks = createServer((req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => {
        alerts.push(JSON.parse(b));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    svc = await startService('audit-projector', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_OPERATOR_API_KEYS: `${ALL_KEY}:*,${ACME_KEY}:tenant-${T}`,
      OPS_ALERT_WEBHOOK_URL: `http://127.0.0.1:${(hooks.address() as { port: number }).port}/hook`,
      OPS_ALERT_WINDOW_MS: '300',
      OPS_LAG_CHECK_INTERVAL_MS: '1000',
      OPS_LAG_GROUPS: `none${suffix}`,
    });
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await publisher?.disconnect().catch(() => undefined);
    await pg?.end().catch(() => undefined);
    await rebuilt?.stop();
    await svc?.stop();
    await new Promise((r) => hooks?.close(r));
    await db2?.drop();
    await db?.drop();
  });

  let brokenCmd: TopicRecords['fulfilment.shipbob-order.requested.v1'];
  let brokenBytes: Buffer;
  let exceptionId: string;

  const openExceptionsGauge = new RegExp(`^mlc_open_exceptions\\{tenant="${T}",entity_type="shipbob-order"\\} 1$`, 'm');
  const openExceptionsGauge0 = new RegExp(`^mlc_open_exceptions\\{tenant="${T}",entity_type="shipbob-order"\\} 0$`, 'm');

  it('shows a record parked twice as one open exception, with the partner request/response and attempts', async () => {
    const t0 = Date.now();
    brokenCmd = order(T, '1001', '11', t0);
    brokenBytes = codec.encodeFor('fulfilment.shipbob-order.requested.v1', brokenCmd);
    await publisher.publishRaw(`fulfilment.shipbob-order.requested.v1${suffix}`, [{ key: `${T}:1001`, value: brokenBytes }]);
    await publisher.publish({ topic: 'ops.exception.raised.v1', key: `${T}:${brokenCmd.referenceId}`, value: parked(brokenCmd, brokenBytes, t0 + 1) });
    await publisher.publish({ topic: 'ops.exception.raised.v1', key: `${T}:${brokenCmd.referenceId}`, value: parked(brokenCmd, brokenBytes, t0 + 2) });
    const list = await waitFor(
      async () => {
        const r = await api('GET', `/ops/exceptions?tenant=${T}`);
        return r.body?.exceptions?.[0]?.occurrences === 2 ? r.body.exceptions : undefined;
      },
      { timeoutMs: 30_000, what: 'the exception projected' },
    );
    assert.equal(list.length, 1);
    assert.equal(list[0].status, 'open');
    assert.equal(list[0].category, 'partner-rejected');
    assert.equal(list[0].businessId, brokenCmd.referenceId);
    exceptionId = list[0].id;
    const one = await api('GET', `/ops/exceptions/${exceptionId}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.details.response.status, 422);
    assert.equal(one.body.payload.decoded.referenceId, brokenCmd.referenceId);
    assert.equal(Buffer.from(one.body.payload.base64, 'base64').equals(brokenBytes), true);
    await waitFor(async () => openExceptionsGauge.test(await (await fetch(`${svc.url}/metrics`)).text()), {
      what: 'mlc_open_exceptions 1 for the tenant',
      timeoutMs: 10_000,
    });
  });

  it('replay republishes exactly the original bytes and key to the source topic, marked in headers, and is audited', async () => {
    const topic = await collect(kafka, `fulfilment.shipbob-order.requested.v1${suffix}`);
    const actions = await collect(kafka, `ops.operator-action.recorded.v1${suffix}`);
    cleanups.push(topic.stop, actions.stop);
    const r = await api('POST', `/ops/exceptions/${exceptionId}/replay`, { comment: 'mapping fixed' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const replayed = await waitFor(() => topic.messages.find((m) => m.headers?.['mlc-replay-of']?.toString() === exceptionId), { what: 'the replayed record' });
    assert.equal(replayed.value!.equals(brokenBytes), true, 'same bytes');
    assert.equal(replayed.key!.toString(), `${T}:1001`);
    assert.match(replayed.headers!['mlc-replayed-by']!.toString(), /^tester /);
    assert.equal(replayed.headers!['mlc-event-id']!.toString(), brokenCmd.meta.eventId, 'same event id: a parked event was never marked processed');
    const action = await waitFor(
      () => actions.messages.map((m) => codec.decodeFor('ops.operator-action.recorded.v1', m.value!).value).find((a) => a.action === 'replay'),
      { what: 'operator action' },
    );
    assert.equal(action.target, exceptionId);
    assert.equal(action.comment, 'mapping fixed');
    await waitFor(async () => (await api('GET', `/ops/exceptions/${exceptionId}`)).body.replayCount === 1, { what: 'replay counted' });
  });

  it('a later success for the same record resolves the exception by itself', async () => {
    await publisher.publish({ topic: 'fulfilment.shipbob-order.synced.v1', key: `${T}:1001`, value: synced(brokenCmd) });
    const ex = await waitFor(
      async () => {
        const r = await api('GET', `/ops/exceptions/${exceptionId}`);
        return r.body.status === 'resolved' ? r.body : undefined;
      },
      { what: 'exception resolved' },
    );
    assert.equal(ex.resolution, 'success');
    assert.equal((await api('GET', `/ops/exceptions?tenant=${T}&status=open`)).body.exceptions.length, 0);
    await waitFor(async () => openExceptionsGauge0.test(await (await fetch(`${svc.url}/metrics`)).text()), {
      what: 'mlc_open_exceptions back to 0',
      timeoutMs: 10_000,
    });
  });

  it('resolves by hand with a comment, and a failure after that reopens it', async () => {
    const cmd = order(T, '1002', '21');
    const bytes = codec.encodeFor('fulfilment.shipbob-order.requested.v1', cmd);
    await publisher.publish({ topic: 'ops.exception.raised.v1', key: `${T}:${cmd.referenceId}`, value: parked(cmd, bytes) });
    const id = await waitFor(
      async () => (await api('GET', `/ops/exceptions?tenant=${T}&businessId=${cmd.referenceId}`)).body.exceptions[0]?.id as string | undefined,
      { what: 'second exception' },
    );
    const r = await api('POST', `/ops/exceptions/${id}/resolve`, { comment: 'order cancelled in Fusion' });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'resolved');
    assert.equal(r.body.resolution, 'manual');
    assert.equal(r.body.resolveComment, 'order cancelled in Fusion');
    await publisher.publish({ topic: 'ops.exception.raised.v1', key: `${T}:${cmd.referenceId}`, value: parked(cmd, bytes, Date.now() + 5) });
    await waitFor(async () => (await api('GET', `/ops/exceptions/${id}`)).body.status === 'open', { what: 'reopened' });
  });

  it('refuses requests without a key, with an unknown key, and across tenants', async () => {
    const other = order(OTHER, '2001', '31');
    await publisher.publish({
      topic: 'ops.exception.raised.v1',
      key: `${OTHER}:${other.referenceId}`,
      value: parked(other, codec.encodeFor('fulfilment.shipbob-order.requested.v1', other)),
    });
    const otherId = await waitFor(async () => (await api('GET', `/ops/exceptions?tenant=${OTHER}`)).body.exceptions[0]?.id as string | undefined, {
      what: 'other tenant exception',
    });
    assert.equal((await api('GET', '/ops/exceptions', undefined, null)).status, 401);
    assert.equal((await api('GET', '/ops/exceptions', undefined, 'wrong-key-123')).status, 401);
    assert.equal((await api('GET', `/ops/exceptions?tenant=${OTHER}`, undefined, ACME_KEY)).status, 403);
    assert.equal((await api('GET', `/ops/exceptions/${otherId}`, undefined, ACME_KEY)).status, 403);
    assert.equal((await api('POST', `/ops/exceptions/${otherId}/replay`, {}, ACME_KEY)).status, 403);
    assert.equal((await api('POST', `/ops/tenants/${OTHER}/flows/shipbob/pause`, {}, ACME_KEY)).status, 403);
    assert.equal((await api('POST', '/ops/consumer-groups/x/reset-offsets', { toOffset: 'earliest' }, ACME_KEY)).status, 403);
    const mine = await api('GET', '/ops/exceptions?status=all', undefined, ACME_KEY);
    assert.equal(mine.status, 200);
    assert.ok(mine.body.exceptions.length >= 2);
    assert.ok(
      mine.body.exceptions.every((e: { tenantId: string }) => e.tenantId === T),
      'a scoped key sees only its tenant',
    );
    const doc = await fetch(`${svc.url}/ops/openapi.json`).then((r) => r.json() as Promise<{ paths: Record<string, unknown> }>);
    assert.ok(doc.paths['/ops/exceptions/{id}/replay']);
  });

  it('follows one record end to end: PO line -> ShipBob order -> shipment -> Fusion receipt, and searches the trail', async () => {
    const po: TopicRecords['erp.purchase-order.changed.v1'] = {
      meta: meta(T),
      poHeaderId: '3001',
      orderNumber: 'PO-3001',
      status: 'OPEN',
      lastUpdateDate: '2026-01-05T10:00:00Z',
      currencyCode: 'USD',
      procurementBusinessUnit: null,
      supplier: null,
      supplierSite: null,
      lines: [
        {
          poLineId: '31',
          lineNumber: '1',
          itemNumber: 'ITEM-1',
          description: null,
          quantity: '3',
          uom: 'Each',
          status: 'OPEN',
          shipToLocationCode: null,
          lineLastUpdateDate: null,
        },
      ],
      raw: '{}',
    };
    const cmd = { ...order(T, '3001', '31'), meta: meta(T, { causedBy: po.meta }) };
    const created = { ...synced(cmd), shipbobOrderId: '9002' };
    const update: TopicRecords['fulfilment.fusion-po-update.requested.v1'] = {
      meta: meta(T),
      kind: 'receipt',
      idempotencyKey: 'rcpt-3001-sh77',
      poHeaderId: '3001',
      poNumber: 'PO-3001',
      referenceId: cmd.referenceId,
      shipbobOrderId: '9002',
      shipmentId: 'sh77',
      shipbobStatus: 'Completed',
      carrier: null,
      trackingNumber: null,
      trackingUrl: null,
      eventAt: null,
      lines: [{ poLineId: '31', lineNumber: '1', itemNumber: 'ITEM-1', quantity: '3', uom: 'Each' }],
      exceptionReason: null,
      writeToFlexfield: false,
    };
    const done: TopicRecords['fulfilment.fusion-po.updated.v1'] = {
      meta: meta(T, { causedBy: update.meta }),
      kind: 'receipt',
      outcome: 'written',
      idempotencyKey: update.idempotencyKey,
      poHeaderId: '3001',
      poNumber: 'PO-3001',
      referenceId: cmd.referenceId,
      shipmentId: 'sh77',
      fusionDocumentId: 'RCV-1',
    };
    const charge: TopicRecords['fulfilment.shipbob-charge.recorded.v1'] = {
      meta: meta(T),
      transactionId: 'tx-1',
      chargeType: 'Shipping',
      amount: '7.25',
      currency: 'USD',
      chargedAt: null,
      shipbobOrderId: '9002',
      shipmentId: 'sh77',
      referenceId: cmd.referenceId,
      poHeaderId: '3001',
      poNumber: 'PO-3001',
    };
    await publisher.publishMany([
      { topic: 'erp.purchase-order.changed.v1', key: `${T}:3001`, value: po },
      { topic: 'fulfilment.shipbob-order.requested.v1', key: `${T}:3001`, value: cmd },
      { topic: 'fulfilment.shipbob-order.synced.v1', key: `${T}:3001`, value: created },
      { topic: 'fulfilment.fusion-po-update.requested.v1', key: `${T}:3001`, value: update },
      { topic: 'fulfilment.fusion-po.updated.v1', key: `${T}:3001`, value: done },
      { topic: 'fulfilment.shipbob-charge.recorded.v1', key: `${T}:tx-1`, value: charge },
    ]);
    const tl = await waitFor(
      async () => {
        const r = await api('GET', `/ops/timeline?tenant=${T}&entityType=fusion-po-line&businessId=31`);
        // Six events land on several partitions, projected in any order: wait for all of them and their links.
        const done = r.body?.entries?.length >= 6 && r.body.records?.includes('fusion-document:RCV-1') && r.body.records.includes('shipbob-shipment:sh77');
        return done ? r.body : undefined;
      },
      { what: 'timeline of the PO line' },
    );
    assert.deepEqual(
      tl.entries.filter((e: { businessId: string }) => e.businessId !== 'tx-1').map((e: { topic: string }) => e.topic),
      [
        'erp.purchase-order.changed.v1',
        'fulfilment.shipbob-order.requested.v1',
        'fulfilment.shipbob-order.synced.v1',
        'fulfilment.fusion-po-update.requested.v1',
        'fulfilment.fusion-po.updated.v1',
      ],
    );
    assert.ok(tl.records.includes('fusion-document:RCV-1') && tl.records.includes('shipbob-shipment:sh77'));
    const search = await api('GET', `/ops/audit?tenant=${T}&entityType=shipbob-order&businessId=${cmd.referenceId}&result=success`);
    assert.equal(search.body.entries.length, 1);
    assert.equal(search.body.entries[0].topic, 'fulfilment.shipbob-order.synced.v1');
    const rec = await api('GET', `/ops/reports/reconciliation?tenant=${T}`);
    const today = rec.body.fulfilment.find((d: { posSeen: number }) => d.posSeen >= 1);
    assert.ok(today && today.shipbobOrdersCreated >= 1 && today.shipped === 1 && today.writtenBack === 1, JSON.stringify(rec.body.fulfilment));
    assert.deepEqual(
      rec.body.chargesPerPo.map((c: { poHeaderId: string; total: string }) => [c.poHeaderId, c.total]),
      [['3001', '7.25']],
    );
  });

  it('pauses and resumes a flow: FlowControl in a writer sees it, and the alert webhook hears one batched message', async () => {
    const flows = new FlowControl(kafka, { topicSuffix: suffix, pollMs: 50 });
    cleanups.push(() => flows.stop());
    await flows.start();
    const r = await api('POST', `/ops/tenants/${T}/flows/shipbob/pause`, { reason: 'ShipBob maintenance' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'paused');
    await waitFor(() => flows.isPaused(T, 'shipbob'), { what: 'writer sees the pause' });
    assert.throws(() => flows.assertRunning(T, 'shipbob'), /paused: ShipBob maintenance/);
    let waited = false;
    const waiting = flows.waitWhilePaused(T, 'shipbob').then(() => (waited = true));
    // A marker after the pause: once the writer's FlowControl has read it, it has read every flow change before it.
    const marker = 'flow-marker';
    assert.equal((await api('POST', `/ops/tenants/${marker}/flows/shipbob/pause`, { reason: 'marker' })).status, 200);
    await waitFor(() => flows.isPaused(marker, 'shipbob'), { what: 'the writer to read the marker' });
    assert.equal(waited, false, 'held while paused');
    await api('POST', `/ops/tenants/${marker}/flows/shipbob/resume`, {});
    assert.equal((await api('POST', `/ops/tenants/${T}/flows/shipbob/resume`, {})).body.state, 'resumed');
    await waiting;
    const listed = await api('GET', `/ops/flows?tenant=${T}`);
    assert.equal(listed.body.flows[0].state, 'resumed');
    const batch = await waitFor(() => alerts.find((a) => a.alerts.some((x) => x.kind === 'flow-paused')), { what: 'alert webhook' });
    assert.ok(batch.count >= 1);
  });

  it('refuses an offset reset on a running group with a clear message, and resets an inactive one', async () => {
    const active = await api('POST', `/ops/consumer-groups/${encodeURIComponent(`audit-projector.audit${suffix}`)}/reset-offsets`, { toOffset: 'earliest' });
    assert.equal(active.status, 409);
    assert.match(active.body.error.message, /is active .*stop the service consuming with it/);
    const group = `idle${suffix}`;
    const admin = kafka.admin();
    await admin.connect();
    // A group with committed offsets and no members (as after its service stopped).
    await admin.setOffsets({ groupId: group, topic: `erp.purchase-order.changed.v1${suffix}`, partitions: [{ partition: 0, offset: '1' }] });
    await admin.disconnect();
    const ok = await api('POST', `/ops/consumer-groups/${encodeURIComponent(group)}/reset-offsets`, { toOffset: 'earliest' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(
      ok.body.offsets.map((o: { offset: string }) => o.offset),
      ['0'],
    );
  });

  it('replays a time range of a flow for one tenant by republishing from the log, with progress', async () => {
    const topic = await collect(kafka, `fulfilment.shipbob-order.requested.v1${suffix}`);
    cleanups.push(topic.stop);
    const r = await api('POST', '/ops/replay-range', {
      tenantId: T,
      flow: 'shipbob-orders',
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 1000).toISOString(),
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const job = await waitFor(
      async () => {
        const j = await api('GET', `/ops/jobs/${r.body.id}`);
        return j.body.status !== 'running' ? j.body : undefined;
      },
      { timeoutMs: 30_000, what: 'replay job' },
    );
    assert.equal(job.status, 'done', JSON.stringify(job));
    // Two original acme commands (1001, 3001) in the range; the earlier replay of 1001 is skipped (it is a replay).
    assert.equal(job.result.republished, 2);
    await waitFor(() => topic.messages.filter((m) => m.headers?.['mlc-replay-of']?.toString() === `range:${job.id}`).length === 2, {
      what: 'republished records',
    });
  });

  it('rebuilds identical tables from offset 0 into an empty schema, projecting whole fetched batches (AUDIT_WHOLE_BATCHES)', async () => {
    const count = async (c: Client) => pgCount(c, 'SELECT count(*) AS n FROM audit_entries');
    // Let the first projection settle (nothing more arrives now).
    let last = -1;
    await waitFor(
      async () => {
        const lag = await api('GET', '/ops/lag');
        const n = await count(pg);
        const stable = n === last && lag.body.groups[0].records === 0;
        last = n;
        return stable;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'first projection settled' },
    );
    db2 = await testDatabase('audit_rebuild');
    rebuilt = await startService('audit-projector', {
      DATABASE_URL: db2.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      AUDIT_CONSUMER_GROUP: 'audit-projector.audit.replay-1',
      AUDIT_WHOLE_BATCHES: 'true',
      MLC_OPERATOR_API_KEYS: `${ALL_KEY}:*`,
    });
    const pg2 = new Client({ connectionString: db2.url });
    await pg2.connect();
    cleanups.push(() => pg2.end());
    await waitFor(async () => (await count(pg2).catch(() => 0)) === last, { timeoutMs: 30_000, what: 'rebuild caught up' });
    for (const table of AUDIT_TABLES) {
      const dump = async (c: Client) => (await c.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY to_jsonb(t)::text`)).rows.map((r) => r.row);
      assert.deepEqual(await dump(pg2), await dump(pg), `${table} differs after a rebuild`);
    }
    assert.ok((await pgCount(pg, 'SELECT count(*) AS n FROM audit_exceptions')) >= 3);
  });
});
