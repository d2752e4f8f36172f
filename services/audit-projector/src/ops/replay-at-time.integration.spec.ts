import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { newMeta } from '@mlc/platform-kafka';
import { collect, startService, testDatabase, testKafka, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';

const KEY = 'replay-at-time-key';
const TOPIC = 'fulfilment.shipbob-order.requested.v1';
const HOUR = 3_600_000;

/**
 * Point-in-time operations on the real broker through the ops API: a consumer group's offsets reset to a timestamp
 * (refused with the fix while the group is active), and a time-range replay of one tenant on one topic with its
 * dry-run count. The records carry producer timestamps hours apart, so the ranges are exact without waiting.
 */
describe('ops API: offset reset to a timestamp and a per-tenant time-range replay (real Kafka)', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let svc: RunningService;
  let admin: Admin;
  let producer: Producer;
  const codec = new AvroCodec();
  const now = Date.now();
  const cleanups: Array<() => Promise<unknown>> = [];
  // [tenant, poHeaderId, hours ago]: offsets 0..4 on the one partition, in this order.
  const seeded: Array<[string, string, number]> = [
    ['acme', '7001', 3],
    ['globex', '7002', 3],
    ['acme', '7003', 2],
    ['globex', '7004', 2],
    ['acme', '7005', 2],
    ['acme', '7006', 1],
  ];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: { 'x-api-key': KEY, 'x-mlc-actor': 'tester', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
  const command = (tenantId: string, po: string): TopicRecords[typeof TOPIC] => ({
    meta: newMeta({ tenantId, source: 'test' }),
    action: 'create',
    referenceId: `po${po}-l1-r0`,
    revision: 0,
    supersedesReferenceId: null,
    poHeaderId: po,
    poNumber: `PO-${po}`,
    poLastUpdateDate: '2026-01-05T10:00:00Z',
    fulfillmentCenterId: null,
    shippingMethod: 'Ground',
    recipient: null,
    products: [{ poLineId: '1', lineNumber: '1', itemNumber: 'ITEM-1', sku: null, productId: null, name: null, quantity: 1, uom: 'Each' }],
    mappingVersion: 1,
    reason: null,
  });

  before(async () => {
    ({ kafka, suffix } = await testKafka('replayat'));
    db = await testDatabase('replayat');
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    for (const [tenant, po, hoursAgo] of seeded)
      await producer.send({
        topic: `${TOPIC}${suffix}`,
        acks: -1,
        messages: [{ key: `${tenant}:${po}`, value: codec.encodeFor(TOPIC, command(tenant, po)), timestamp: String(now - hoursAgo * HOUR) }],
      });
    svc = await startService('audit-projector', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_OPERATOR_API_KEYS: `${KEY}:*`,
      OPS_LAG_GROUPS: `none${suffix}`,
    });
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await svc?.stop();
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await db?.drop();
  });

  it('resets an inactive group to the first record at or after a timestamp; an active group gets 409 naming the fix', async () => {
    const group = `replayer${suffix}`;
    const topic = `${TOPIC}${suffix}`;
    const committed = async () => (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]!.partitions.map((p) => p.offset);
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '6' }] }); // at the end, as after a full run

    // Active: a member is in the group.
    const member: Consumer = kafka.consumer({ groupId: group, allowAutoTopicCreation: false });
    await member.connect();
    await member.subscribe({ topic, fromBeginning: false });
    await member.run({ eachMessage: async () => undefined });
    await waitFor(async () => (await admin.describeGroups([group])).groups[0]?.state === 'Stable', { timeoutMs: 30_000, what: 'the group to be Stable' });
    const refused = await api('POST', `/ops/consumer-groups/${encodeURIComponent(group)}/reset-offsets`, {
      toTimestamp: new Date(now - 2.5 * HOUR).toISOString(),
      topics: [TOPIC],
    });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'OPS.GROUP_ACTIVE');
    assert.match(refused.body.error.message, /stop the service consuming with it .*stopAndRestart/);
    assert.deepEqual(await committed(), ['6'], 'nothing moved');
    await member.disconnect();
    await waitFor(async () => ['Empty', 'Dead'].includes((await admin.describeGroups([group])).groups[0]?.state ?? 'Dead'), { what: 'the group to be Empty' });

    // Dry run: the offsets it would take, nothing committed.
    const preview = await api('POST', `/ops/consumer-groups/${encodeURIComponent(group)}/reset-offsets`, {
      toTimestamp: new Date(now - 2.5 * HOUR).toISOString(),
      topics: [TOPIC],
      dryRun: true,
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.deepEqual(preview.body.offsets, [{ topic, partition: 0, offset: '2' }]);
    assert.deepEqual(await committed(), ['6']);

    // Epoch milliseconds work too: 1.5 h ago is offset 5 (the 1-hour-ago record).
    const epoch = await api('POST', `/ops/consumer-groups/${encodeURIComponent(group)}/reset-offsets`, {
      toTimestamp: String(now - 1.5 * HOUR),
      topics: [TOPIC],
    });
    assert.equal(epoch.status, 200, JSON.stringify(epoch.body));
    assert.deepEqual(await committed(), ['5']);
    // 2.5 h ago: the first record at or after it is offset 2 (the first of the 2-hours-ago band); the group then
    // re-reads the records of the last 2.5 hours.
    const reset = await api('POST', `/ops/consumer-groups/${encodeURIComponent(group)}/reset-offsets`, {
      toTimestamp: new Date(now - 2.5 * HOUR).toISOString(),
      topics: [TOPIC],
    });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assert.deepEqual(await committed(), ['2']);
    const reader: Consumer = kafka.consumer({ groupId: group, allowAutoTopicCreation: false });
    cleanups.push(() => reader.disconnect());
    const read: string[] = [];
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: false });
    await reader.run({ eachMessage: async ({ message }) => void read.push(message.key!.toString()) });
    await waitFor(() => read.length >= 4, { timeoutMs: 30_000, what: 'the group to re-read from the timestamp' });
    assert.deepEqual(read, ['acme:7003', 'globex:7004', 'acme:7005', 'acme:7006']);
  });

  it("replays one tenant's records of one topic in [from, to): dry-run count first, then republished with replay marks", async () => {
    const range = { tenantId: 'acme', topics: [TOPIC], from: new Date(now - 2.5 * HOUR).toISOString(), to: new Date(now - 1.5 * HOUR).toISOString() };
    const preview = await api('POST', '/ops/replay-range/preview', range);
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.deepEqual(
      { inRange: preview.body.inRange, records: preview.body.records, otherTenants: preview.body.otherTenants, replays: preview.body.replays },
      { inRange: 3, records: 2, otherTenants: 1, replays: 0 },
    );

    const topic = await collect(kafka, `${TOPIC}${suffix}`);
    cleanups.push(topic.stop);
    const r = await api('POST', '/ops/replay-range', range);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const job = await waitFor(
      async () => {
        const j = await api('GET', `/ops/jobs/${r.body.id}`);
        return j.body.status !== 'running' ? j.body : undefined;
      },
      { timeoutMs: 30_000, what: 'replay job' },
    );
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.result.republished, 2);
    const replayed = () => topic.messages.filter((m) => m.headers?.['mlc-replay-of']?.toString() === `range:${job.id}`);
    await waitFor(() => replayed().length === 2, { what: 'the 2 republished records' });
    assert.deepEqual(
      replayed().map((m) => m.key!.toString()),
      ['acme:7003', 'acme:7005'],
    );
    // Unchanged bytes: the same event ids, so consumers that handled them skip them (de-duplication applies).
    const original = topic.messages.filter((m) => !m.headers?.['mlc-replay-of']);
    for (const m of replayed()) {
      const twin = original.find((o) => o.key!.toString() === m.key!.toString())!;
      assert.ok(m.value!.equals(twin.value!));
      assert.match(m.headers?.['mlc-replayed-by']?.toString() ?? '', /^tester/);
    }
    // Widening the range to now takes in the replays: they are counted apart and never replayed again.
    const wider = await api('POST', '/ops/replay-range/preview', { ...range, to: new Date(Date.now() + 60_000).toISOString() });
    assert.deepEqual({ records: wider.body.records, replays: wider.body.replays }, { records: 3, replays: 2 });
    // Bad input answers 400 with the reason.
    const bad = await api('POST', '/ops/replay-range/preview', { ...range, to: range.from });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /from < to/);
  });
});
