import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { createKafka, deleteEphemeralGroup, ensureTopics, EventPublisher, headerString, newMeta, ulid } from '@mlc/platform-kafka';
import {
  consumerLag,
  REPO_ROOT,
  startService,
  testDatabase,
  TEST_ENCRYPTION_KEYS,
  waitFor,
  type RunningService,
  type TestDatabase,
} from '@mlc/platform-testing';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';
import { CLUSTER_TOPICS, LocalCluster, QUICK_START_JVM } from '../../tools/chaos/infra';

const TENANT = 'replay-cluster';
/** A second tenant whose PO shares the topic (and the time range) with TENANT's: a tenant-scoped replay leaves it. */
const OTHER = 'replay-cluster-b';
const PAT = 'sbpat_replay_cluster_000000000000000000000000000';
const CHANNEL = 7171;
const OPS_KEY = 'replay-cluster-ops-key';
const PO_TOPIC = 'erp.purchase-order.changed.v1';
const MAPPER_GROUP = 'mapper.purchase-orders';
const ORDER_TOPIC = 'fulfilment.shipbob-order.requested.v1';
const codec = new AvroCodec();

function po(poHeaderId: string, tenantId = TENANT): TopicRecords['erp.purchase-order.changed.v1'] {
  const line = (n: number, item: string) => ({
    poLineId: `${poHeaderId}${n}`,
    lineNumber: String(n),
    itemNumber: item,
    description: null,
    quantity: String(n + 2),
    uom: 'Each',
    status: 'Open',
    shipToLocationCode: 'Seattle',
    lineLastUpdateDate: null,
  });
  return {
    meta: newMeta({ tenantId, source: 'test' }),
    poHeaderId,
    orderNumber: poHeaderId.slice(-4),
    status: 'Open',
    lastUpdateDate: '2026-01-05T10:00:00.000+00:00',
    currencyCode: 'USD',
    procurementBusinessUnit: 'Vision Operations',
    supplier: 'Acme Supply',
    supplierSite: 'ACME-MAIN',
    supplierId: '1252',
    supplierNumber: null,
    shipToLocationId: '204',
    shipToLocationCode: 'Seattle',
    shipTo: {
      locationCode: 'Seattle',
      name: 'Seattle DC',
      address1: '1 Dock Road',
      address2: null,
      city: 'Seattle',
      state: 'WA',
      postalCode: '98101',
      country: 'US',
      addressText: null,
    },
    lines: [line(1, 'AS1'), line(2, 'AS9')],
    raw: '{}',
  } as TopicRecords['erp.purchase-order.changed.v1'];
}

/**
 * The operator's replay actions on the three-broker cluster (deploy/local/cluster.sh, own folder and ports) with two
 * replicas of audit-projector, mapper and shipbob-writer: republish of one parked event, an offset reset of a
 * consumer group (earliest, and to a timestamp) with stop-and-restart of both replicas, and a time-range replay scoped
 * to one tenant and one topic (preview, then the replay). After each, ShipBob holds exactly one order per PO line, the
 * records on the topics and the audited operator actions are the expected ones, and both replicas consume again.
 */
// Hooks and tests carry their own timeouts: the runner's --test-timeout (240 s) is not enough to boot a cluster and
// six processes on a loaded 2-core machine.
const TIMEOUT = { timeout: 600_000 };

describe('replay actions on the three-broker cluster with two replicas of each service', TIMEOUT, () => {
  // A short-lived cluster: the brokers start with C1 only (less CPU to boot) and are killed at the end, not stopped.
  // A loaded 2-core machine (the whole suite beside it) has taken over 90 s to bring a broker up.
  const cluster = new LocalCluster(join(REPO_ROOT, '.local/replay-test/cluster'), 49092, { jvmOptions: QUICK_START_JVM, startTimeoutS: 240 });
  let kafka: Kafka;
  let db: TestDatabase;
  let sandbox: ShipbobSandbox;
  let tenants: TenantConfigService;
  let ds: ReturnType<typeof createTenantsDataSource>;
  let publisher: EventPublisher;
  const services: RunningService[] = [];
  const ops = () => services.find((s) => s.name === 'audit-projector' && s.child.exitCode === null)!;

  const refs = async (): Promise<string[]> =>
    ((await (await fetch(`${sandbox.url}/__admin/orders`)).json()) as { items: Array<{ reference_id: string }> }).items.map((o) => o.reference_id).sort();
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${ops().url}${path}`, {
      method,
      headers: { 'x-api-key': OPS_KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const caughtUp = (what: string) =>
    waitFor(
      async () => (await consumerLag(kafka, MAPPER_GROUP, [PO_TOPIC])) === 0 && (await consumerLag(kafka, 'shipbob-writer.orders', [ORDER_TOPIC])) === 0,
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        what,
      },
    );
  /** Both mapper replicas are members of the group again (the start reached every replica, not just one). */
  const bothReplicasConsuming = (what: string) =>
    waitFor(
      async () => {
        const g = await api('GET', `/ops/consumer-groups/${MAPPER_GROUP}`);
        return g.body.state === 'Stable' && g.body.members.length === 2;
      },
      { timeoutMs: 120_000, intervalMs: 500, what },
    );
  /** Audited operator actions (the projection of ops.operator-action.recorded.v1) with that business id. */
  const audited = async (businessId: string): Promise<Array<Record<string, any>>> =>
    (await api('GET', `/ops/audit?entityType=operator-action&businessId=${encodeURIComponent(businessId)}&limit=50`)).body.entries;
  /** Every record on `topic` now (a throw-away group reads it to its end). */
  const readAll = async (topic: string): Promise<KafkaMessage[]> => {
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const todo = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]));
    const seen: KafkaMessage[] = [];
    if (!todo.size) return seen;
    const groupId = `replay-cluster-test.read-${ulid().toLowerCase()}`;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (BigInt(message.offset) < todo.get(partition)!) seen.push(message);
          if (BigInt(message.offset) + 1n >= todo.get(partition)!) todo.delete(partition);
        },
      });
      await waitFor(() => todo.size === 0, { timeoutMs: 60_000, what: `${topic} read to its end` });
      return seen;
    } finally {
      await consumer.disconnect();
      await deleteEphemeralGroup(kafka, groupId);
    }
  };

  before(async () => {
    [, db] = await Promise.all([cluster.upFresh(), testDatabase('replay_cluster')]);
    kafka = createKafka({ brokers: cluster.brokers, clientId: 'replay-cluster-test' });
    await ensureTopics(kafka, { partitions: CLUSTER_TOPICS.partitions, replicationFactor: CLUSTER_TOPICS.replicationFactor });
    sandbox = new ShipbobSandbox({ seed: 11 });
    await sandbox.listen(0);
    sandbox.seedData({
      channel: { id: CHANNEL, name: 'ML Connector' },
      pat: PAT,
      fulfillmentCenters: [{ id: 8, name: 'Seattle FC', address: { address1: '1 FC Way', city: 'Kent', state: 'WA', country: 'US', zip_code: '98032' } }],
      products: ['SKU-1', 'SKU-9'].map((sku) => ({ sku, name: sku, on_hand_qty: 100 })),
    });
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    for (const [id, name] of [
      [TENANT, 'Replay on the cluster'],
      [OTHER, 'Another tenant on the same topic'],
    ]) {
      await tenants.createTenant({ id: id!, name: name! }, 'test');
      await tenants.setConnection(
        id!,
        { partner: 'shipbob', baseUrl: sandbox.url, channelId: CHANNEL, webhookSecrets: [`whsec_${'D'.repeat(32)}`], auth: { type: 'pat', token: PAT } },
        'test',
      );
    }
    // OTHER has no mappings: its PO is parked, never sent to ShipBob.
    await tenants.setMapping(TENANT, 'item-product', 'AS1', { shipbobSku: 'SKU-1' }, 'test');
    await tenants.setMapping(TENANT, 'ship-to-fc', 'Seattle', { fulfillmentCenterId: 8 }, 'test');
    publisher = new EventPublisher(kafka, codec, '');
    await publisher.connect();
    const env = {
      KAFKA_BROKERS: cluster.brokers.join(','),
      DATABASE_URL: db.url,
      TENANT_CACHE_TTL_MS: '0',
      MLC_OPERATOR_API_KEYS: `${OPS_KEY}:*`,
      SHIPBOB_BACKOFF_BASE_MS: '100',
      SHIPBOB_BACKOFF_MAX_MS: '2000',
      // Six processes of three services start at once: V8's code cache spares most of the compiling (kept in .local).
      NODE_COMPILE_CACHE: join(REPO_ROOT, '.local/node-compile-cache'),
    };
    const names = ['audit-projector', 'mapper', 'shipbob-writer'].flatMap((n) => [n, n]);
    // Six Nest processes booting at once beside three brokers: more than startService's default 90 s on a loaded machine.
    services.push(...(await Promise.all(names.map((name) => startService(name, env, { startTimeoutMs: 240_000 })))));
  }, TIMEOUT);

  after(async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    await publisher?.disconnect().catch(() => undefined);
    if (ds?.isInitialized) await ds.destroy();
    await sandbox?.close();
    await db?.drop();
    await cluster.kill();
  }, TIMEOUT);

  it('republish of one parked event: the fixed line is created once, beside the line that went through', TIMEOUT, async () => {
    await publisher.publish({ topic: PO_TOPIC, key: `${TENANT}:9001`, value: po('9001') });
    const open = await waitFor(
      async () => {
        const r = await api('GET', `/ops/exceptions?tenant=${TENANT}&status=open`);
        return r.body.exceptions?.length === 1 && (await refs()).length === 1 ? r.body.exceptions[0] : undefined;
      },
      { timeoutMs: 120_000, what: 'one order and one open exception' },
    );
    assert.equal(open.businessId, 'po9001-l90012-r0');
    await tenants.setMapping(TENANT, 'item-product', 'AS9', { shipbobSku: 'SKU-9' }, 'test');
    const r = await api('POST', `/ops/exceptions/${open.id}/replay`, { comment: 'AS9 mapped' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.republishedTo, PO_TOPIC);
    await waitFor(async () => (await refs()).length === 2, { timeoutMs: 120_000, what: 'the republished line at ShipBob' });
    await caughtUp('mapper and writer caught up after the republish');
    assert.deepEqual(await refs(), ['po9001-l90011-r0', 'po9001-l90012-r0']);
    // On the topic: the original and its one republished copy, marked with the exception it replays.
    const records = (await readAll(PO_TOPIC)).filter((m) => m.key?.toString() === `${TENANT}:9001`);
    assert.deepEqual(records.map((m) => headerString(m.headers as Record<string, Buffer>, 'mlc-replay-of') ?? null).sort(), [open.id, null]);
    await waitFor(async () => (await audited(`replay:${open.id}`)).length === 1, { what: 'the republish in the audit' });
  });

  it('offset reset of a consumer group to earliest, stopping and restarting both replicas: read again, nothing created twice', TIMEOUT, async () => {
    await bothReplicasConsuming('two mapper replicas in the group before the reset');
    const r = await api('POST', `/ops/consumer-groups/${MAPPER_GROUP}/reset-offsets`, { topics: [PO_TOPIC], toOffset: 'earliest', stopAndRestart: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.steps.map((s: { step: string }) => s.step),
      ['stop-requested', 'group-empty', 'offsets-reset', 'start-requested'],
    );
    assert.match(r.body.steps[0].detail, /the 2 member\(s\)/);
    assert.equal(r.body.offsets.length, CLUSTER_TOPICS.partitions);
    assert.ok(r.body.offsets.every((o: { offset: string }) => o.offset === '0'));
    // The group committed nothing past 0 yet, or is reading again: either way it ends at the topic's end.
    await caughtUp('both mapper replicas read the topic again');
    await bothReplicasConsuming('both mapper replicas started again');
    assert.deepEqual(await refs(), ['po9001-l90011-r0', 'po9001-l90012-r0']);
    await waitFor(async () => (await audited(`reset-offsets:${MAPPER_GROUP}`)).length === 1, { what: 'the reset in the audit' });
  });

  it('offset reset to a timestamp: the group moves to the first record at or after it, on every partition', TIMEOUT, async () => {
    const at = new Date().toISOString();
    await publisher.publish({ topic: PO_TOPIC, key: `${TENANT}:9002`, value: po('9002') });
    await waitFor(async () => (await refs()).length === 4, { timeoutMs: 120_000, what: 'the second PO at ShipBob' });
    await caughtUp('caught up after the second PO');
    const r = await api('POST', `/ops/consumer-groups/${MAPPER_GROUP}/reset-offsets`, { topics: [PO_TOPIC], toTimestamp: at, stopAndRestart: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.steps.map((s: { step: string }) => s.step),
      ['stop-requested', 'group-empty', 'offsets-reset', 'start-requested'],
    );
    // Only the one record published after `at` is behind the new offsets: its partition moved back by one, every
    // other partition to its end (no record there at or after `at`).
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(PO_TOPIC).finally(() => admin.disconnect());
    const back = r.body.offsets.map(
      (o: { partition: number; offset: string }) => Number(ends.find((e) => e.partition === o.partition)!.high) - Number(o.offset),
    );
    assert.deepEqual(
      back.filter((n: number) => n !== 0),
      [1],
      JSON.stringify({ offsets: r.body.offsets, ends }),
    );
    await caughtUp('read again from the timestamp');
    await bothReplicasConsuming('both mapper replicas started again after the timestamp reset');
    assert.deepEqual(await refs(), ['po9001-l90011-r0', 'po9001-l90012-r0', 'po9002-l90021-r0', 'po9002-l90022-r0']);
    await waitFor(async () => (await audited(`reset-offsets:${MAPPER_GROUP}`)).length === 2, { what: 'the second reset in the audit' });
  });

  it('time-range replay scoped to one tenant and one topic: preview, then only that tenant’s records of that topic are republished', TIMEOUT, async () => {
    await publisher.publish({ topic: PO_TOPIC, key: `${OTHER}:9003`, value: po('9003', OTHER) });
    await waitFor(async () => (await api('GET', `/ops/exceptions?tenant=${OTHER}&status=open`)).body.total > 0, {
      timeoutMs: 120_000,
      what: "the other tenant's PO parked",
    });
    await caughtUp("caught up after the other tenant's PO");
    const range = { tenantId: TENANT, topics: [PO_TOPIC], from: new Date(Date.now() - 600_000).toISOString(), to: new Date(Date.now() + 1_000).toISOString() };
    // On the topic in the range: 9001, its republished copy (test 1), 9002, and the other tenant's 9003.
    const preview = await api('POST', '/ops/replay-range/preview', range);
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.deepEqual(
      { inRange: preview.body.inRange, records: preview.body.records, otherTenants: preview.body.otherTenants, replays: preview.body.replays },
      { inRange: 4, records: 2, otherTenants: 1, replays: 1 },
    );
    const r = await api('POST', '/ops/replay-range', range);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const job = await waitFor(
      async () => {
        const j = await api('GET', `/ops/jobs/${r.body.id}`);
        return j.status === 200 && j.body.status !== 'running' ? j.body : undefined;
      },
      { timeoutMs: 60_000, what: 'the range replay job' },
    );
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.result.republished, preview.body.records, JSON.stringify(job.result));
    assert.equal(job.result.skippedOtherTenants, 1, JSON.stringify(job.result));
    // On the topics: the tenant's two POs republished once each, marked with the job; nothing of the other tenant, nothing
    // on the command topic (the tenant's records there are outside the scope).
    const mark = `range:${r.body.id}`;
    const replayedOf = (ms: KafkaMessage[]) => ms.filter((m) => headerString(m.headers as Record<string, Buffer>, 'mlc-replay-of') === mark);
    assert.deepEqual(
      replayedOf(await readAll(PO_TOPIC))
        .map((m) => m.key?.toString())
        .sort(),
      [`${TENANT}:9001`, `${TENANT}:9002`],
    );
    assert.deepEqual(replayedOf(await readAll(ORDER_TOPIC)), []);
    await caughtUp('the replayed range consumed');
    assert.deepEqual(await refs(), ['po9001-l90011-r0', 'po9001-l90012-r0', 'po9002-l90021-r0', 'po9002-l90022-r0']);
    await waitFor(async () => (await audited(`replay-range:${PO_TOPIC}`)).length === 1, { what: 'the range replay in the audit' });
  });

  // Last: it leaves one mapper replica dead.
  it(
    'a replica killed (SIGKILL) just before an offset reset: the reset waits until the broker drops it, the survivor stops, resumes and reads again',
    TIMEOUT,
    async () => {
      await bothReplicasConsuming('two mapper replicas before the kill');
      await services.find((s) => s.name === 'mapper')!.stop('SIGKILL');
      // The dead member stays in the group until its session times out (KAFKA_SESSION_TIMEOUT_MS, 10 s): the reset's
      // wait for an empty group covers it.
      const r = await api('POST', `/ops/consumer-groups/${MAPPER_GROUP}/reset-offsets`, { topics: [PO_TOPIC], toOffset: 'earliest', stopAndRestart: true });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(
        r.body.steps.map((s: { step: string }) => s.step),
        ['stop-requested', 'group-empty', 'offsets-reset', 'start-requested'],
      );
      assert.ok(r.body.offsets.every((o: { offset: string }) => o.offset === '0'));
      await caughtUp('the surviving mapper replica read the topic again');
      await waitFor(
        async () => {
          const g = await api('GET', `/ops/consumer-groups/${MAPPER_GROUP}`);
          return g.body.state === 'Stable' && g.body.members.length === 1;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'the surviving replica alone in the group' },
      );
      assert.deepEqual(await refs(), ['po9001-l90011-r0', 'po9001-l90012-r0', 'po9002-l90021-r0', 'po9002-l90022-r0']);
    },
  );
});
