import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Kafka } from 'kafkajs';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { EventPublisher, newMeta, topicName } from '@mlc/platform-kafka';
import { collect, startService, testDatabase, testKafka, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { runCli, type CliIo } from './cli';

const OPS = 'opskey-ops-cli';
const T = 'acme';

/** The ops commands of `mlc` against a real audit-projector process (real Kafka and Postgres). */
describe('mlc ops commands against a running audit-projector', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let svc: RunningService;
  let publisher: EventPublisher;
  /** Stands in for fusion-writer's GET /receivables/tenants/:tenantId/waiting: what it was asked, with which key. */
  let fusionWriter: Server;
  const writerCalls: Array<{ url: string; key: string | undefined }> = [];
  const codec = new AvroCodec();

  async function mlc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIo = {
      env: { MLC_API_URL: svc.url, MLC_API_KEY: OPS },
      out: (t) => (out += t),
      err: (t) => (err += t),
      readFile: async () => '',
      writeFile: async () => undefined,
    };
    const code = await runCli(argv, io);
    return { code, out, err };
  }

  const command = (poHeaderId: string, lineId: string): TopicRecords['fulfilment.shipbob-order.requested.v1'] => ({
    meta: newMeta({ tenantId: T, source: 'test' }),
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
    products: [{ poLineId: lineId, lineNumber: '1', itemNumber: 'ITEM-9', sku: null, productId: null, quantity: 1, uom: null }],
    mappingVersion: 2,
    reason: null,
  });

  async function park(cmd: TopicRecords['fulfilment.shipbob-order.requested.v1'], code = 'MAPPING.MISSING_PRODUCT', raisedAt?: number): Promise<void> {
    const bytes = codec.encodeFor('fulfilment.shipbob-order.requested.v1', cmd);
    await publisher.publishRaw(`fulfilment.shipbob-order.requested.v1${suffix}`, [{ key: `${T}:${cmd.poHeaderId}`, value: bytes }]);
    await publisher.publish({
      topic: 'ops.exception.raised.v1',
      key: `${T}:${cmd.referenceId}`,
      value: {
        meta: newMeta({ tenantId: T, source: 'mapper', causedBy: cmd.meta, ...(raisedAt ? { now: raisedAt } : {}) }),
        service: 'mapper',
        code,
        category: 'missing-mapping',
        message: 'no ShipBob product for item ITEM-9',
        attempts: 1,
        sourceTopic: 'fulfilment.shipbob-order.requested.v1',
        sourcePartition: 0,
        sourceOffset: '0',
        sourceKey: `${T}:${cmd.poHeaderId}`,
        sourceEventId: cmd.meta.eventId,
        entityType: 'shipbob-order',
        businessId: cmd.referenceId,
        details: '{}',
        payload: bytes,
      },
    });
  }

  before(async () => {
    ({ kafka, suffix } = await testKafka('opscli'));
    db = await testDatabase('opscli');
    fusionWriter = createServer((req, res) => {
      writerCalls.push({ url: req.url ?? '', key: req.headers['x-api-key'] as string | undefined });
      const since = '2026-12-01T10:00:00.000Z';
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          tenantId: T,
          waiting: [
            {
              idempotencyKey: 'acme.myshopify.com:order:42:refund:7',
              kind: 'credit_memo',
              shopifyOrderId: '42',
              shopifyOrderName: '#1042',
              waitsForInvoice: '42',
              since,
              deadline: '2026-12-02T10:00:00.000Z',
              releasedAt: null,
              releases: 0,
            },
          ],
        }),
      );
    }).listen(0, '127.0.0.1');
    await new Promise((r) => fusionWriter.once('listening', r));
    svc = await startService('audit-projector', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_OPERATOR_API_KEYS: `${OPS}:*`,
      OPS_LAG_GROUPS: `none${suffix}`,
      OPS_FUSION_WRITER_URL: `http://127.0.0.1:${(fusionWriter.address() as { port: number }).port}`,
    });
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    await park(command('501', '1'));
    await park(command('502', '1'));
    await park(command('503', '1'));
  });

  after(async () => {
    await publisher?.disconnect().catch(() => undefined);
    await svc?.stop();
    fusionWriter?.close();
    await db?.drop();
  });

  it('lists, shows, replays and resolves exceptions (table and --json)', async () => {
    const listed = await waitFor(
      async () => {
        const r = await mlc('exceptions', 'list', '--tenant', T, '--json');
        const rows = r.code === 0 ? (JSON.parse(r.out) as Array<{ id: string; businessId: string }>) : [];
        return rows.length === 3 ? rows : undefined;
      },
      { timeoutMs: 30_000, what: 'three exceptions' },
    );
    const table = await mlc('exceptions', 'list', '--tenant', T, '--code', 'MAPPING.MISSING_PRODUCT');
    assert.equal(table.code, 0);
    assert.match(table.out, /^ID\s+TENANTID\s+STATUS\s+CATEGORY/);
    assert.equal(table.out.trim().split('\n').length, 4);
    const id = listed.find((e) => e.businessId === 'po501-l1-r0')!.id;
    const show = await mlc('exceptions', 'show', id);
    assert.equal(show.code, 0);
    assert.match(show.out, /ORIGINAL RECORD \(\d+ bytes\)/);
    assert.match(show.out, /"referenceId": "po501-l1-r0"/);
    const one = await mlc('exceptions', 'replay', id, '--comment', 'mapped ITEM-9');
    assert.equal(one.code, 0, one.err);
    assert.match(one.out, /^replayed exc_\w+ -> fulfilment\.shipbob-order\.requested\.v1\.t\w+ \(\d+ bytes, original unchanged\)/);
    const all = await mlc('exceptions', 'replay', '--all', '--tenant', T, '--code', 'MAPPING.MISSING_PRODUCT');
    assert.equal(all.code, 0, all.err);
    assert.match(all.err, /replaying: \d+\/3 (running|done)/, 'progress on stderr');
    assert.match(all.out, /done: replayed 3/);
    const resolved = await mlc('exceptions', 'resolve', id, '--comment', 'fixed by hand');
    assert.equal(resolved.code, 0, resolved.err);
    assert.match(resolved.out, /resolved \(manual\) — fixed by hand/);
    const missing = await mlc('exceptions', 'resolve', id);
    assert.equal(missing.code, 2);
  });

  it('searches the audit trail and shows a timeline', async () => {
    const s = await mlc('audit', 'search', '--tenant', T, '--result', 'failed');
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /ops\.exception\.raised\.v1\s+outbound\s+shipbob-order\s+po50\d-l1-r0\s+failed\s+MAPPING\.MISSING_PRODUCT/);
    const t = await mlc('audit', 'timeline', '--tenant', T, 'fusion-po-line', '1');
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /RECORDS .*shipbob-order:po501-l1-r0/);
    assert.match(t.out, /fulfilment\.shipbob-order\.requested\.v1\s+fusion->shipbob/);
  });

  it('pauses and resumes a flow, counts a range replay (dry run), refuses an offset reset on a running group', async () => {
    const p = await mlc('flows', 'pause', T, 'shipbob', '--reason', 'maintenance');
    assert.equal(p.code, 0, p.err);
    assert.equal(p.out, 'acme shipbob: paused (maintenance)\n');
    assert.match((await mlc('flows', 'list', '--tenant', T)).out, /acme\s+shipbob\s+paused\s+maintenance/);
    assert.match((await mlc('flows', 'resume', T, 'shipbob')).out, /resumed/);
    const range = await mlc(
      'replay',
      'range',
      '--tenant',
      T,
      '--flow',
      'shipbob-orders',
      '--from',
      new Date(Date.now() - 600_000).toISOString(),
      '--to',
      new Date(Date.now() + 1000).toISOString(),
      '--dry-run',
    );
    assert.equal(range.code, 0, range.err);
    // A dry run is the count at once (POST /ops/replay-range/preview), no job.
    assert.match(range.out, /^dry run: would republish 3 of \d+ record\(s\) in the range\n/);
    assert.match(range.out, /records\s+3/);
    const reset = await mlc('offsets', 'reset', `audit-projector.audit${suffix}`, '--to-offset', 'earliest');
    assert.equal(reset.code, 1);
    assert.match(reset.err, /OPS\.GROUP_ACTIVE \(409\): consumer group "audit-projector\.audit\.t\w+" is active/);
    const rec = await mlc('reconcile', '--tenant', T);
    assert.equal(rec.code, 0, rec.err);
    assert.match(rec.out, /PURCHASE ORDERS -> SHIPBOB -> FUSION/);
    const lag = await mlc('lag', '--json');
    assert.equal(lag.code, 0, lag.err);
    assert.equal(JSON.parse(lag.out).groups[0].groupId, `audit-projector.audit${suffix}`);
    const denied = await runCli(['exceptions', 'list'], {
      env: { MLC_API_URL: svc.url, MLC_API_KEY: 'not-a-key' },
      out: () => undefined,
      err: () => undefined,
      readFile: async () => '',
      writeFile: async () => undefined,
    });
    assert.equal(denied, 1);
  });

  it('offsets reset --stop-and-restart stops the running group, resets it and starts it again, with progress lines', async () => {
    const group = `audit-projector.audit${suffix}`;
    // One topic: Kafka moves the offsets of each topic by joining the group once (seconds per topic).
    const r = await mlc('offsets', 'reset', group, '--to-offset', 'latest', '--topic', 'ops.operator-action.recorded.v1', '--stop-and-restart');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`^${group.replace(/\./g, '\\.')}: stopping its consumers`));
    const steps = r.err
      .split('\n')
      .map((l) => / (stop-requested|group-empty|offsets-reset|start-requested): /.exec(l)?.[1])
      .filter(Boolean);
    assert.deepEqual(steps, ['stop-requested', 'group-empty', 'offsets-reset', 'start-requested'], r.err);
    assert.match(r.out, new RegExp(`^reset ${group.replace(/\./g, '\\.')}:\n`));
    assert.match(r.out, /ops\.operator-action\.recorded\.v1\.t\w+\s+0\s+\d+/);
    await waitFor(async () => JSON.parse((await mlc('lag', '--json')).out).groups[0]?.groupId === group || undefined, { what: 'lag still answers' });
    const g = await waitFor(
      async () => {
        const res = await fetch(`${svc.url}/ops/consumer-groups/${group}`, { headers: { 'x-api-key': OPS } });
        const body = (await res.json()) as { state: string };
        return body.state === 'Stable' ? body : undefined;
      },
      { timeoutMs: 30_000, what: 'the projector group running again' },
    );
    assert.equal(g.state, 'Stable');
  });

  it('exceptions replay --all replays the oldest exception first, whatever order they were listed or published in', async () => {
    const actions = await collect(kafka, topicName('ops.operator-action.recorded.v1', suffix));
    try {
      // Published newest first: 601 was raised first (the earliest occurredAt), 603 last.
      const now = Date.now();
      await park(command('603', '1'), 'MAPPING.MISSING_FC', now - 60_000);
      await park(command('602', '1'), 'MAPPING.MISSING_FC', now - 120_000);
      await park(command('601', '1'), 'MAPPING.MISSING_FC', now - 180_000);
      const listed = await waitFor(
        async () => {
          const r = await mlc('exceptions', 'list', '--tenant', T, '--code', 'MAPPING.MISSING_FC', '--json');
          const rows = r.code === 0 ? (JSON.parse(r.out) as Array<{ id: string; businessId: string }>) : [];
          return rows.length === 3 ? rows : undefined;
        },
        { timeoutMs: 30_000, what: 'three exceptions' },
      );
      assert.deepEqual(
        listed.map((e) => e.businessId),
        ['po603-l1-r0', 'po602-l1-r0', 'po601-l1-r0'],
        'the list shows the newest first',
      );
      const all = await mlc('exceptions', 'replay', '--all', '--tenant', T, '--code', 'MAPPING.MISSING_FC');
      assert.equal(all.code, 0, all.err);
      assert.match(all.out, /done: replayed 3/);
      const byId = new Map(listed.map((e) => [e.id, e.businessId]));
      const replayed = await waitFor(
        () => {
          const targets = actions.messages
            .map((m) => codec.decodeFor('ops.operator-action.recorded.v1', m.value!).value)
            .filter((a) => a.action === 'replay' && byId.has(a.target))
            .map((a) => byId.get(a.target));
          return targets.length === 3 ? targets : undefined;
        },
        { timeoutMs: 30_000, what: 'three replay actions' },
      );
      // The actions topic is keyed by tenant: one partition, so its order is the order of the replays.
      assert.deepEqual(replayed, ['po601-l1-r0', 'po602-l1-r0', 'po603-l1-r0']);
    } finally {
      await actions.stop();
    }
  });

  it("receivables waiting lists what waits for its invoice, from fusion-writer, asked with the operator's own key", async () => {
    const r = await mlc('receivables', 'waiting', T);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^IDEMPOTENCYKEY\s+KIND\s+SHOPIFYORDERNAME\s+WAITSFORINVOICE/);
    assert.match(r.out, /acme\.myshopify\.com:order:42:refund:7\s+credit_memo\s+#1042\s+42\s/);
    assert.deepEqual(writerCalls.at(-1), { url: `/receivables/tenants/${T}/waiting`, key: OPS });
    const json = await mlc('receivables', 'waiting', T, '--json');
    assert.equal((JSON.parse(json.out) as Array<{ kind: string }>)[0]?.kind, 'credit_memo');
    assert.equal((await mlc('receivables', 'waiting')).code, 2, 'the tenant is required');
  });
});
