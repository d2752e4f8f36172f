import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { generateWebhookSecret, ShipbobWebhookSigner } from '@mlc/partners-shipbob-simulator';
import { topicName } from '@mlc/platform-kafka';
import { readiness, TEST_BROKERS, waitFor, type RunningService } from '@mlc/platform-testing';
import * as testing from '@mlc/platform-testing';
import { BrokerProxy } from '../testing/broker-proxy';
import { gatewayTestEnv, type GatewayTestEnv, type Watched } from '../testing/gateway-test-env';

const TENANT = 'sb-coalesce';
const SECRET = generateWebhookSecret();
const MAX_PENDING = 40;
const TIMEOUT_MS = 1_500;

interface Answer {
  id: string;
  status: number;
  error?: string;
  retryAfter: string | null;
}

/**
 * Coalesced Kafka sends and back-pressure (issue 18): requests that arrive while a send is in flight share the next
 * one, each answered 200 only after the broker acknowledged its record; over WEBHOOK_MAX_PENDING, 503 + Retry-After.
 * The broker is "paused" for the gateway by a TCP proxy between them (BrokerProxy) that holds what the gateway sends
 * until it is resumed: produce requests get no answer, as from a broker that is slow or away.
 */
describe('webhook-gateway: coalesced sends and back-pressure (real process, Kafka, Postgres)', () => {
  let env: GatewayTestEnv<RunningService>;
  let gateway: RunningService;
  let topic: Watched;
  let hookUrl: string;
  let kafkaTopic: string;
  let proxy: BrokerProxy;
  const signer = new ShipbobWebhookSigner(SECRET);

  const post = async (id: string): Promise<Answer> => {
    const body = JSON.stringify({ id: 1, reference_id: id, status: 'Fulfilled' });
    const res = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signer.headers(id, Math.floor(Date.now() / 1000), body, 'order.shipped') },
      body,
    });
    const json = (await res.json()) as { error?: string };
    return { id, status: res.status, error: json.error, retryAfter: res.headers.get('retry-after') };
  };
  const recordsOf = (id: string) => topic.records().filter((r) => r.value.deliveryId === id);
  const onTopic = async (): Promise<number> => {
    const admin = env.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(kafkaTopic)).reduce((n, p) => n + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  };
  /** Retries (as a partner does) until 200; returns the final answers. */
  const retryUntilAccepted = (ids: string[]): Promise<Answer[]> =>
    Promise.all(ids.map((id) => waitFor(async () => ((a) => (a.status === 200 ? a : undefined))(await post(id)), { what: `${id} accepted`, intervalMs: 200 })));
  /** Every id exactly once on the topic, checked after a marker sent later is on it (one partition: order holds). */
  const exactlyOnce = async (ids: string[]): Promise<void> => {
    const marker = `marker_${Date.now()}_${Math.random().toString(36).slice(2)}`;
    assert.equal((await post(marker)).status, 200);
    await waitFor(() => recordsOf(marker).length === 1, { what: 'marker on the topic' });
    const counts = ids.map((id) => [id, recordsOf(id).length] as const).filter(([, n]) => n !== 1);
    assert.deepEqual(counts, [], 'records not on the topic exactly once');
  };

  before(async () => {
    env = await gatewayTestEnv('gw_coalesce', testing);
    kafkaTopic = topicName('shipbob.webhook.received.v1', env.suffix);
    await env.tenants.createTenant({ id: TENANT, name: 'Coalescing' }, 'test');
    await env.tenants.setConnection(
      TENANT,
      {
        partner: 'shipbob',
        baseUrl: 'http://127.0.0.1:9',
        channelId: '1000',
        webhookSecrets: [SECRET],
        auth: { type: 'pat', token: 'sbpat_test_0000000000000000000000000000000' },
      },
      'test',
    );
    const [host, port] = TEST_BROKERS[0]!.split(':');
    proxy = await BrokerProxy.start({ host: host!, port: Number(port) });
    gateway = await env.startGateway({
      ...proxy.env(TEST_BROKERS[0]!, join(__dirname, '../testing/kafka-redirect.preload.js')),
      SHOPIFY_SWEEP_ENABLED: 'false',
      SHIPBOB_SWEEP_ENABLED: 'false',
      WEBHOOK_MAX_PENDING: String(MAX_PENDING),
      WEBHOOK_PUBLISH_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    hookUrl = `${gateway.url}/webhooks/shipbob/${TENANT}`;
    topic = await env.watch('shipbob.webhook.received.v1');
    await waitFor(async () => (await readiness(gateway.url)) === 200, { what: 'gateway ready' });
  });

  after(async () => {
    proxy?.resume();
    await env?.close();
    await proxy?.close();
  });

  it('coalesces concurrent webhooks into shared sends, each answered 200 and on the topic exactly once', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `msg_coalesce_${i}`);
    const answers = await Promise.all(ids.map(post));
    assert.deepEqual(
      answers.filter((a) => a.status !== 200),
      [],
    );
    const records = await waitFor(() => (ids.every((id) => recordsOf(id).length >= 1) ? ids.flatMap(recordsOf) : undefined), { what: 'all on the topic' });
    // Records of one send to one partition form one record batch (kafkajs exposes its first offset on each record).
    const batches = new Set(records.map((r) => (r.message as unknown as { batchContext: { firstOffset: string } }).batchContext.firstOffset));
    assert.ok(batches.size < ids.length, `30 concurrent webhooks took ${batches.size} sends: none shared`);
    await exactlyOnce(ids);
  });

  it('never answers 200 before the broker acknowledged: a paused broker gets 503 + Retry-After, the retry is published once', async () => {
    const before = await onTopic();
    proxy.pause();
    try {
      const a = await post('msg_paused_1');
      assert.equal(a.status, 503);
      assert.equal(a.error, 'WEBHOOK.KAFKA_UNAVAILABLE');
      assert.ok(Number(a.retryAfter) >= 1, `Retry-After ${a.retryAfter}`);
      assert.equal(await onTopic(), before, 'a record reached the topic while the broker refused acks');
    } finally {
      proxy.resume();
    }
    await retryUntilAccepted(['msg_paused_1']);
    await exactlyOnce(['msg_paused_1']);
  });

  it('over WEBHOOK_MAX_PENDING answers 503 + Retry-After at once; what got 200 is on the topic, retries bring the rest once', async () => {
    const ids = Array.from({ length: MAX_PENDING * 2 }, (_, i) => `msg_flood_${i}`);
    proxy.pause();
    const early: Answer[] = [];
    let all: Promise<Answer[]>;
    try {
      all = Promise.all(ids.map((id) => post(id).then((x) => (early.push(x), x))));
      // The overflow is refused without waiting for Kafka: those answers come while the others still wait.
      await waitFor(() => early.some((x) => x.error === 'WEBHOOK.OVERLOADED'), { what: 'an overloaded answer' });
    } finally {
      // The waiting ones may now be sent and answered 200 (or time out: 503); either way nothing is lost.
      proxy.resume();
    }
    const answers = await all;
    const overloaded = answers.filter((a) => a.error === 'WEBHOOK.OVERLOADED');
    for (const a of overloaded) {
      assert.equal(a.status, 503);
      assert.equal(a.retryAfter, '2');
    }
    assert.deepEqual(
      answers.filter((a) => a.status !== 200 && a.status !== 503),
      [],
    );
    const accepted = answers.filter((a) => a.status === 200).map((a) => a.id);
    await waitFor(() => accepted.every((id) => recordsOf(id).length >= 1), { what: 'the 200s on the topic' });
    await retryUntilAccepted(ids);
    await exactlyOnce(ids);
  });
});
