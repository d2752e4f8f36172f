import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin, Kafka } from 'kafkajs';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { EventPublisher, newMeta } from '@mlc/platform-kafka';
import { collect, readiness, startService, testDatabase, testKafka, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';

const KEY = 'ops-actions-key-1';
const T = 'acme';

/**
 * Operator actions on real Kafka, Postgres and service processes: an offset reset that stops and restarts a running
 * mapper's consumer group (ops.consumer-control.requested.v1), and correcting a parked record's data.
 */
describe('ops API: offset reset with stop-and-restart of a running group, and exceptions correct', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let mapperDb: TestDatabase;
  let svc: RunningService;
  let mapper: RunningService;
  let publisher: EventPublisher;
  let admin: Admin;
  const codec = new AvroCodec();
  const cleanups: Array<() => Promise<unknown>> = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: { 'x-api-key': KEY, 'x-mlc-actor': 'tester', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };

  /** Committed offsets of a group on a topic, and how far behind the end of the topic they are. */
  const offsets = async (groupId: string, topic: string) => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    let lag = 0;
    let total = 0;
    for (const p of ends) {
      const c = Number(committed?.partitions.find((x) => x.partition === p.partition)?.offset ?? '-1');
      total += Math.max(0, c);
      lag += Number(p.high) - (c >= 0 ? c : Number(p.low));
    }
    return { lag, committed: total };
  };

  const ready = async (url: string) =>
    (await (await fetch(`${url}/health/ready`)).json()) as { status: string; details?: { consumers?: { status: string; stoppedByOperator?: string[] } } };

  before(async () => {
    ({ kafka, suffix } = await testKafka('opsact'));
    [db, mapperDb] = await Promise.all([testDatabase('opsact'), testDatabase('opsact_mapper')]);
    admin = kafka.admin();
    await admin.connect();
    publisher = new EventPublisher(kafka, codec, suffix);
    await publisher.connect();
    [svc, mapper] = await Promise.all([
      startService('audit-projector', { DATABASE_URL: db.url, KAFKA_TOPIC_SUFFIX: suffix, MLC_OPERATOR_API_KEYS: `${KEY}:*`, OPS_LAG_GROUPS: `none${suffix}` }),
      startService('mapper', { DATABASE_URL: mapperDb.url, KAFKA_TOPIC_SUFFIX: suffix, TENANT_CACHE_TTL_MS: '0' }),
    ]);
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await Promise.all([mapper?.stop(), svc?.stop()]);
    await publisher?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await Promise.all([mapperDb?.drop(), db?.drop()]);
  });

  it('stops a running mapper group, resets it to earliest and restarts it; without the flag the reset is refused', async () => {
    const group = `mapper.shopify${suffix}`;
    const topic = `shopify.webhook.received.v1${suffix}`;
    // Records the mapper handles without a tenant (a Shopify topic accounting does not use): acknowledged, committed.
    for (let i = 0; i < 3; i += 1) {
      const value: TopicRecords['shopify.webhook.received.v1'] = {
        meta: newMeta({ tenantId: T, source: 'test' }),
        partner: 'shopify',
        topic: 'shop/update',
        deliveryId: `d-${i}-${suffix}`,
        headers: {},
        body: '{}',
      };
      await publisher.publish({ topic: 'shopify.webhook.received.v1', key: `${T}:${value.deliveryId}`, value });
    }
    await waitFor(
      async () => {
        const o = await offsets(group, topic);
        return o.committed === 3 && o.lag === 0;
      },
      { timeoutMs: 60_000, what: 'the mapper to consume the 3 webhooks' },
    );
    // The mapper's consumer-control listener (its own group, ending in the run's suffix) has joined.
    await waitFor(
      async () => {
        const ids = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith('mapper.consumer-control.') && g.endsWith(suffix));
        return ids.length === 1 && (await admin.describeGroups(ids)).groups[0]?.state === 'Stable';
      },
      { timeoutMs: 30_000, what: 'the mapper consumer-control listener in its group' },
    );

    const refused = await api('POST', `/ops/consumer-groups/${group}/reset-offsets`, { toOffset: 'earliest' });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'OPS.GROUP_ACTIVE');
    assert.match(refused.body.error.message, /is active \(state Stable, 1 member\(s\): [^)]*mapper[^)]*@/);
    assert.match(refused.body.error.message, /stopAndRestart/);
    assert.equal((await offsets(group, topic)).committed, 3, 'nothing moved');

    const actions = await collect(kafka, `ops.operator-action.recorded.v1${suffix}`);
    const control = await collect(kafka, `ops.consumer-control.requested.v1${suffix}`);
    cleanups.push(actions.stop, control.stop);
    const r = await api('POST', `/ops/consumer-groups/${group}/reset-offsets`, { toOffset: 'earliest', stopAndRestart: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.steps.map((s: { step: string }) => s.step),
      ['stop-requested', 'group-empty', 'offsets-reset', 'start-requested'],
    );
    assert.equal(r.body.offsets.length, (await admin.fetchTopicOffsets(topic)).length, 'every partition of the topic');
    assert.ok(
      r.body.offsets.every((o: { offset: string }) => o.offset === '0'),
      JSON.stringify(r.body.offsets),
    );
    const requests = await waitFor(
      () => {
        const all = control.messages.map((m) => codec.decodeFor('ops.consumer-control.requested.v1', m.value!).value);
        return all.length >= 2 ? all : undefined;
      },
      { what: 'the stop and start requests' },
    );
    assert.deepEqual(
      requests.map((q) => [q.groupId, q.action]),
      [
        [group, 'stop'],
        [group, 'start'],
      ],
    );
    assert.equal(requests[0]!.requestId, requests[1]!.requestId);
    assert.match(requests[0]!.actor, /^tester /);

    // The mapper re-consumes from the start (the 3 records come again and are skipped as already processed): its
    // lag goes back to 0, and it answers ready.
    await waitFor(async () => (await offsets(group, topic)).lag === 0 && (await offsets(group, topic)).committed === 3, {
      timeoutMs: 60_000,
      what: 'the mapper to re-consume after the restart',
    });
    await waitFor(
      async () =>
        /^mlc_records_skipped_duplicate_total\{[^}]*group="mapper\.shopify[^"]*"[^}]*\} 3$/m.test(await (await fetch(`${mapper.url}/metrics`)).text()) ||
        undefined,
      { timeoutMs: 30_000, what: 'the 3 records read again by the mapper' },
    );
    await waitFor(async () => (await readiness(mapper.url)) === 200, { what: 'the mapper ready' });
    assert.equal((await admin.describeGroups([group])).groups[0]?.state, 'Stable');

    const action = await waitFor(
      () => actions.messages.map((m) => codec.decodeFor('ops.operator-action.recorded.v1', m.value!).value).find((a) => a.action === 'reset-offsets'),
      { what: 'the audited reset' },
    );
    assert.equal(action.target, group);
    const details = JSON.parse(action.details ?? '{}') as { stopAndRestart: boolean; toOffset: string; steps: Array<{ step: string }> };
    assert.equal(details.stopAndRestart, true);
    assert.equal(details.toOffset, 'earliest');
    assert.equal(details.steps.length, 4);
  });

  it('a stop request leaves only that group stopped, shown in readiness as stopped by the operator (not a failure), until start', async () => {
    const group = `mapper.shopify${suffix}`;
    const send = (action: 'stop' | 'start') =>
      publisher.publish({
        topic: 'ops.consumer-control.requested.v1',
        key: group,
        value: { meta: newMeta({ tenantId: '_all', source: 'test' }), groupId: group, action, requestId: `req-${action}`, actor: 'tester' },
      });
    await send('stop');
    const stopped = await waitFor(
      async () => {
        const h = await ready(mapper.url);
        return h.details?.consumers?.stoppedByOperator?.includes(group) ? h : undefined;
      },
      { what: 'readiness to show the group stopped by the operator' },
    );
    assert.equal(stopped.status, 'ok');
    assert.equal(await readiness(mapper.url), 200);
    await waitFor(async () => ['Empty', 'Dead'].includes((await admin.describeGroups([group])).groups[0]?.state ?? 'Dead') || undefined, {
      what: 'the group empty',
    });
    assert.equal((await admin.describeGroups([`mapper.purchase-orders${suffix}`])).groups[0]?.state, 'Stable', 'other groups keep running');
    await send('start');
    await waitFor(async () => (await admin.describeGroups([group])).groups[0]?.state === 'Stable' || undefined, { timeoutMs: 30_000, what: 'the group back' });
    const h = await ready(mapper.url);
    assert.equal(h.details?.consumers?.stoppedByOperator, undefined);
  });

  it('corrects a parked record: a new event caused by the original, and the audit trail shows both', async () => {
    const cmd: TopicRecords['fulfilment.shipbob-order.requested.v1'] = {
      meta: newMeta({ tenantId: T, source: 'test' }),
      action: 'create',
      referenceId: 'po5001-l51-r0',
      revision: 0,
      supersedesReferenceId: null,
      poHeaderId: '5001',
      poNumber: 'PO-5001',
      poLastUpdateDate: '2026-01-05T10:00:00Z',
      fulfillmentCenterId: null,
      shippingMethod: 'Teleport',
      recipient: null,
      products: [{ poLineId: '51', lineNumber: '1', itemNumber: 'ITEM-1', sku: null, productId: null, name: null, quantity: 3, uom: 'Each' }],
      mappingVersion: 4,
      reason: null,
    };
    const bytes = codec.encodeFor('fulfilment.shipbob-order.requested.v1', cmd);
    await publisher.publishRaw(`fulfilment.shipbob-order.requested.v1${suffix}`, [{ key: `${T}:5001`, value: bytes }]);
    const raised: TopicRecords['ops.exception.raised.v1'] = {
      meta: newMeta({ tenantId: T, source: 'test', causedBy: cmd.meta }),
      service: 'shipbob-writer',
      code: 'SHIPBOB.REJECTED',
      category: 'partner-rejected',
      message: 'ShipBob refused the order: unknown shipping method',
      attempts: 1,
      sourceTopic: 'fulfilment.shipbob-order.requested.v1',
      sourcePartition: 0,
      sourceOffset: '0',
      sourceKey: `${T}:5001`,
      sourceEventId: cmd.meta.eventId,
      entityType: 'shipbob-order',
      businessId: cmd.referenceId,
      details: '{}',
      payload: bytes,
    };
    await publisher.publish({ topic: 'ops.exception.raised.v1', key: `${T}:${cmd.referenceId}`, value: raised });
    const id = await waitFor(
      async () => (await api('GET', `/ops/exceptions?tenant=${T}&businessId=${cmd.referenceId}`)).body?.exceptions?.[0]?.id as string | undefined,
      { timeoutMs: 30_000, what: 'the exception' },
    );

    const topic = await collect(kafka, `fulfilment.shipbob-order.requested.v1${suffix}`);
    cleanups.push(topic.stop);
    assert.equal((await api('POST', `/ops/exceptions/${id}/correct`, { changes: { meta: {} } })).status, 400, 'meta cannot be changed');
    const r = await api('POST', `/ops/exceptions/${id}/correct`, { changes: { shippingMethod: 'Standard' }, comment: 'shipping method fixed' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.topic, 'fulfilment.shipbob-order.requested.v1');
    const corrected = await waitFor(
      () =>
        topic.messages
          .map((m) => ({ m, v: codec.decodeFor('fulfilment.shipbob-order.requested.v1', m.value!).value }))
          .find((x) => x.v.meta.eventId === r.body.correctedEventId),
      { what: 'the corrected record' },
    );
    assert.equal(corrected.v.shippingMethod, 'Standard');
    assert.equal(corrected.v.referenceId, cmd.referenceId, 'same deterministic key: the writer cannot create a second order');
    assert.deepEqual(JSON.parse(JSON.stringify(corrected.v.products)), cmd.products);
    assert.equal(corrected.v.meta.causationId, cmd.meta.eventId);
    assert.equal(corrected.v.meta.correlationId, cmd.meta.correlationId);
    assert.equal(corrected.m.key!.toString(), `${T}:5001`);

    const trail = await waitFor(
      async () => {
        const a = await api('GET', `/ops/audit?tenant=${T}&correlationId=${cmd.meta.correlationId}&topic=fulfilment.shipbob-order.requested.v1`);
        return a.body?.entries?.length >= 2 ? a.body.entries : undefined;
      },
      { timeoutMs: 30_000, what: 'both records in the audit trail' },
    );
    const original = trail.find((e: { eventId: string }) => e.eventId === cmd.meta.eventId);
    const correction = trail.find((e: { eventId: string }) => e.eventId === r.body.correctedEventId);
    assert.ok(original && correction, JSON.stringify(trail));
    assert.equal(correction.causationId, cmd.meta.eventId);
    const action = await waitFor(
      async () => (await api('GET', `/ops/audit?tenant=${T}&entityType=operator-action&businessId=correct:${id}`)).body?.entries?.[0],
      { what: 'the audited correction' },
    );
    assert.equal(action.result, 'recorded');
  });
});
