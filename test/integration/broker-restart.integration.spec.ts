import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { createKafka, ensureTopics, EventPublisher, newMeta } from '@mlc/platform-kafka';
import { readiness, REPO_ROOT, startService, testDatabase, waitFor, type RunningService } from '@mlc/platform-testing';

// A broker of its own (other ports, other folder), so stopping it does not disturb the rest of the suite.
const KAFKA_HOME = join(REPO_ROOT, '.local/kafka-restart-test');
const env = { ...process.env, KAFKA_HOME, KAFKA_PORT: '19092', KAFKA_CONTROLLER_PORT: '19093' };
const infra = (cmd: string) => execFileSync('bash', [join(REPO_ROOT, 'deploy/local/infra.sh'), cmd], { env, stdio: 'ignore' });

describe('a broker restart while records flow', () => {
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  const kafka = createKafka({ brokers: ['127.0.0.1:19092'], clientId: 'restart-test' });

  before(async () => {
    rmSync(KAFKA_HOME, { recursive: true, force: true });
    infra('kafka-up');
    await ensureTopics(kafka, { partitions: 1 });
    db = await testDatabase('restart');
    service = await startService('audit-projector', { KAFKA_BROKERS: '127.0.0.1:19092', DATABASE_URL: db.url });
  });

  after(async () => {
    await service?.stop();
    infra('kafka-down');
    rmSync(KAFKA_HOME, { recursive: true, force: true });
    await db?.drop();
  });

  const publishOne = async (deliveryId: string): Promise<string> => {
    const publisher = new EventPublisher(kafka);
    await publisher.connect();
    const meta = newMeta({ tenantId: 'acme', source: 'test' });
    await publisher.publish({
      topic: 'shopify.webhook.received.v1',
      key: deliveryId,
      value: { meta, partner: 'shopify', topic: 'orders/create', deliveryId, headers: {}, body: '{}' },
    });
    await publisher.disconnect();
    return meta.eventId;
  };

  const projected = async (eventId: string): Promise<boolean> => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return ((await c.query('SELECT 1 FROM audit_entries WHERE event_id = $1', [eventId]).catch(() => ({ rowCount: 0 }))).rowCount ?? 0) > 0;
    } finally {
      await c.end();
    }
  };

  it('readiness goes unhealthy when Kafka stops and healthy when it returns; the consumer resumes by itself', async () => {
    await waitFor(async () => (await readiness(service.url)) === 200, { what: 'ready before the restart', timeoutMs: 30_000 });
    const before = await publishOne('before');
    await waitFor(() => projected(before), { what: 'record before the restart', timeoutMs: 30_000 });

    infra('kafka-down');
    await waitFor(async () => (await readiness(service.url)) === 503, { what: 'not ready while Kafka is down', timeoutMs: 30_000 });

    infra('kafka-up');
    await waitFor(async () => (await readiness(service.url)) === 200, { what: 'ready again after Kafka returned', timeoutMs: 90_000 });
    const afterRestart = await publishOne('after');
    await waitFor(() => projected(afterRestart), { what: 'record after the restart', timeoutMs: 60_000 });
    assert.equal(service.child.exitCode, null, 'the service kept running through the restart');
  });
});
