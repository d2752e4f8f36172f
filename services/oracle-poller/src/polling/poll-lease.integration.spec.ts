import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { collect, startService, testDatabase, testKafka, TEST_ENCRYPTION_KEYS, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';

type PoEvent = TopicRecords['erp.purchase-order.changed.v1'];

const codec = new AvroCodec();
const TTL_MS = 3_000;
const LEASE = 'oracle-poller:demo:purchase-orders';
const KEY = 'poll-lease-operator-key';

/** Whether a replica says it owns the demo tenant's purchase-orders feed (GET /poller/tenants/demo/status). */
async function ownsFeed(s: RunningService): Promise<boolean> {
  const res = await fetch(`${s.url}/poller/tenants/demo/status`, { headers: { 'x-api-key': KEY } });
  const body = (await res.json()) as { feeds: Array<{ feed: string; leaseHeld: boolean }> };
  return body.feeds.find((f) => f.feed === 'purchase-orders')!.leaseHeld;
}

/** Polls of the demo tenant's purchase-orders feed that ran to the end, from one replica's /metrics. */
async function donePolls(s: RunningService): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('oracle_poller_polls_total{') && l.includes('tenant="demo"') && l.includes('outcome="done"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/**
 * Two oracle-poller processes on one tenant: the lease makes exactly one of them poll; SIGKILL the owner and the other
 * takes the feed over after the TTL, from the cursor the dead one committed (no window read again, no event twice).
 */
describe('oracle-poller replicas share a tenant feed through its lease', () => {
  let db: TestDatabase;
  let pool: Pool;
  let ds: DataSource;
  let kafka: Kafka;
  let suffix: string;
  let fusion: FusionSandbox;
  let pos: { messages: KafkaMessage[]; stop: () => Promise<void> };
  const services: RunningService[] = [];

  const events = () => pos.messages.map((m) => codec.decode<PoEvent>(m.value!, 'mlc.erp.PurchaseOrderChanged').value);
  const lease = async () =>
    (await pool.query<{ owner: string; token: string }>('SELECT owner, token::text AS token FROM platform_leases WHERE name = $1', [LEASE])).rows[0];
  const start = async () => {
    const s = await startService('oracle-poller', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      TENANT_CACHE_TTL_MS: '300',
      POLLER_FEEDS: 'purchase-orders',
      POLLER_TICK_MS: '100',
      POLLER_PAGE_SIZE: '7',
      POLLER_OVERLAP_MS: '0',
      POLLER_TENANT_REFRESH_MS: '500',
      MLC_LEASE_TTL_MS: String(TTL_MS),
      MLC_OPERATOR_API_KEYS: `${KEY}:*`,
    });
    services.push(s);
    return s;
  };

  before(async () => {
    db = await testDatabase('poll_lease');
    pool = new Pool({ connectionString: db.url, max: 2 });
    ({ kafka, suffix } = await testKafka('poll-lease'));
    fusion = new FusionSandbox({ seed: 11 });
    await fusion.listen(0);
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    const tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    await tenants.createTenant({ id: 'demo', name: 'Demo', settings: { pollingIntervalsMs: { purchaseOrdersMs: 500 } } }, 'test');
    await tenants.setConnection(
      'demo',
      { partner: 'fusion', baseUrl: fusion.url, auth: { type: 'basic', username: 'mlc.integration', password: 'sandbox-password' } },
      'test',
    );
    pos = await collect(kafka, `erp.purchase-order.changed.v1${suffix}`);
  });

  after(async () => {
    for (const s of services) await s.stop('SIGKILL').catch(() => undefined);
    await pos?.stop();
    await fusion?.close();
    await ds?.destroy();
    await pool?.end();
    await db?.drop();
  });

  it('one replica polls; SIGKILLed, the other takes over within the TTL from the committed cursor, no event twice', async () => {
    const first = fusion.seedPurchaseOrders({ count: 20 });
    const a = await start();
    await waitFor(() => events().length >= 20, { timeoutMs: 20_000, what: '20 PO events from replica A', intervalMs: 100 });
    const b = await start();
    // Both run: A keeps polling every 500 ms, B never does (it does not hold the lease).
    const aBefore = await donePolls(a);
    await waitFor(async () => (await donePolls(a)) >= aBefore + 3, { timeoutMs: 20_000, what: 'three more polls by A with B running' });
    assert.equal(await donePolls(b), 0, 'B polled while A held the lease');
    const held = await lease();
    assert.match(held?.owner ?? '', new RegExp(`:${a.child.pid}:`), 'A owns the lease');
    assert.deepEqual([await ownsFeed(a), await ownsFeed(b)], [true, false], 'status: leaseHeld on A only');

    await a.stop('SIGKILL');
    const killedAt = Date.now();
    const cursor = (await pool.query<{ cursor_ms: string }>(`SELECT cursor_ms FROM poller_feed_state WHERE tenant_id = 'demo' AND feed = 'purchase-orders'`))
      .rows[0]!.cursor_ms;
    const seqAtKill = fusion.requests().at(-1)?.seq ?? 0;
    const second = fusion.seedPurchaseOrders({ count: 10, historySpacingMs: 1 }); // changed after the cursor

    const taken = await waitFor(
      async () => {
        const l = await lease();
        return l && new RegExp(`:${b.child.pid}:`).test(l.owner) ? l : undefined;
      },
      { timeoutMs: 2 * TTL_MS + 5_000, intervalMs: 50, what: 'B to take the lease over' },
    );
    const takeoverMs = Date.now() - killedAt;
    assert.equal(BigInt(taken.token), BigInt(held!.token) + 1n, 'the takeover raised the fencing token');
    assert.ok(takeoverMs <= TTL_MS + TTL_MS / 3 + 2_000, `takeover after ${takeoverMs} ms (TTL ${TTL_MS} ms, renewed every TTL/3)`);

    await waitFor(() => events().length >= 30, { timeoutMs: 20_000, what: '10 more PO events from replica B', intervalMs: 100 });
    assert.ok((await donePolls(b)) > 0, 'B polls now');
    assert.equal(await ownsFeed(b), true);

    // Every PO once per LastUpdateDate: no event emitted twice by the two replicas.
    const seen = new Map<string, number>();
    for (const e of events()) seen.set(`${e.poHeaderId}@${e.lastUpdateDate}`, (seen.get(`${e.poHeaderId}@${e.lastUpdateDate}`) ?? 0) + 1);
    assert.deepEqual(
      [...seen].filter(([, n]) => n > 1),
      [],
    );
    assert.deepEqual(new Set(events().map((e) => e.poHeaderId)), new Set([...first, ...second].map((p) => String(p.POHeaderId))));

    // B read on from A's committed cursor: none of its PO page requests goes back to a window A had already read.
    const after = fusion.requests().filter((r) => r.seq > seqAtKill && r.method === 'GET' && r.path.endsWith('/purchaseOrders'));
    assert.ok(after.length > 0, 'B read purchase orders');
    for (const r of after) {
      const q = new URLSearchParams(r.query).get('q') ?? '';
      const since = Date.parse(/LastUpdateDate>='([^']+)'/.exec(q)?.[1] ?? '');
      assert.ok(since >= Number(cursor), `B read from ${new Date(since).toISOString()}, before A's committed cursor ${new Date(Number(cursor)).toISOString()}`);
    }
  });
});
