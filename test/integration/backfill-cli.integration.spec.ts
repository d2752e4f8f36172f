import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { FusionSandbox, fusionTimestamp } from '@mlc/partners-fusion-simulator';
import { collect, REPO_ROOT, startService, testDatabase, testKafka, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';

const OPS = 'opskey-backfill-cli';
const OTHER = 'opskey-other-tenant';
const DAY = 86_400_000;

/**
 * `mlc settings set` + `mlc backfill` end to end: the real CLI process talks only to audit-projector (admin and ops API), which
 * proxies the backfill to a real oracle-poller reading the Fusion sandbox (real Kafka and Postgres).
 */
describe('mlc backfill through the ops API and a running oracle-poller', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let fusion: FusionSandbox;
  let poller: RunningService;
  let projector: RunningService;
  let pos: { messages: KafkaMessage[]; stop: () => Promise<void> };
  const codec = new AvroCodec();
  const emittedIds = () =>
    pos.messages
      .map((m) => codec.decode<TopicRecords['erp.purchase-order.changed.v1']>(m.value!, 'mlc.erp.PurchaseOrderChanged').value)
      .filter((e) => e.meta.tenantId === 'acme')
      .map((e) => e.poHeaderId);

  /** The real CLI process (stderr is a pipe, not a terminal: plain progress lines). */
  function mlcAs(key: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'dist/services/cli/src/main.js'), ...argv],
        { env: { ...process.env, MLC_API_URL: projector.url, MLC_API_KEY: key }, timeout: 60_000 },
        (err, out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out, err: stderr }),
      );
    });
  }
  const mlc = (...argv: string[]) => mlcAs(OPS, ...argv);

  before(async () => {
    ({ kafka, suffix } = await testKafka('backfillcli'));
    db = await testDatabase('backfill_cli');
    fusion = new FusionSandbox({ seed: 11 });
    await fusion.listen(0);
    const keys = `${OPS}:*,${OTHER}:tenant-other`;
    projector = await startService('audit-projector', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_OPERATOR_API_KEYS: keys,
      OPS_LAG_GROUPS: `none${suffix}`,
      OPS_ORACLE_POLLER_URL: 'http://127.0.0.1:9',
    });
    pos = await collect(kafka, `erp.purchase-order.changed.v1${suffix}`);
  });

  after(async () => {
    await poller?.stop('SIGKILL');
    await projector?.stop();
    await pos?.stop();
    await fusion?.close();
    await db?.drop();
  });

  it('a tenant set up with mlc only starts at its initialLookbackDays; mlc backfill reads older POs, with progress lines and a summary of what the sandbox holds', async () => {
    // POs changed 20 days ago (inside the default 30-day look-back, outside this tenant's 10) and 3 recent ones.
    const old = fusion.seedPurchaseOrders({ count: 4 });
    for (const p of old) p.LastUpdateDate = fusionTimestamp(Date.now() - 20 * DAY);
    const recent = fusion.seedPurchaseOrders({ count: 3 });
    for (const args of [
      ['tenants', 'create', 'acme', '--name', 'Acme'],
      [
        'connections',
        'set',
        'acme',
        'fusion',
        '--base-url',
        fusion.url,
        '--set',
        'auth.type=basic',
        '--set',
        `auth.username=${fusion.options.basicUser}`,
        '--set',
        `auth.password=${fusion.options.basicPassword}`,
      ],
      ['settings', 'set', 'acme', 'initialLookbackDays:=10', 'pollingIntervalsMs.purchaseOrdersMs:=1000', 'pollingIntervalsMs.receiptsMs:=1000'],
      ['tenants', 'create', 'broken', '--name', 'Wrong Fusion password'],
      [
        'connections',
        'set',
        'broken',
        'fusion',
        '--base-url',
        fusion.url,
        '--set',
        'auth.type=basic',
        '--set',
        'auth.username=nobody',
        '--set',
        'auth.password=wrong',
      ],
      ['settings', 'set', 'broken', 'pollingIntervalsMs.purchaseOrdersMs:=1000', 'pollingIntervalsMs.receiptsMs:=1000'],
    ]) {
      const r = await mlc(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    }
    poller = await startService('oracle-poller', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_OPERATOR_API_KEYS: `${OPS}:*,${OTHER}:tenant-other`,
      TENANT_CACHE_TTL_MS: '300',
      POLLER_TICK_MS: '100',
      POLLER_FAILURE_BACKOFF_MS: '200',
      POLLER_FAILURE_BACKOFF_MAX_MS: '400',
      POLLER_TENANT_REFRESH_MS: '500',
    });
    await projector.stop();
    projector = await startService('audit-projector', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_OPERATOR_API_KEYS: `${OPS}:*,${OTHER}:tenant-other`,
      OPS_LAG_GROUPS: `none${suffix}`,
      OPS_ORACLE_POLLER_URL: poller.url,
    });

    await waitFor(() => recent.every((p) => emittedIds().includes(String(p.POHeaderId))), { timeoutMs: 30_000, what: 'the recent POs' });
    // The first poll has finished once the status shows a cursor; the 20-day-old POs are outside the 10-day look-back.
    await waitFor(
      async () =>
        (
          (await (await fetch(`${poller.url}/poller/tenants/acme/status`, { headers: { 'x-api-key': OPS } })).json()) as {
            feeds: Array<{ feed: string; lastSuccessAt: string | null }>;
          }
        ).feeds.find((f) => f.feed === 'purchase-orders')?.lastSuccessAt,
      { what: 'a finished first poll' },
    );
    assert.deepEqual(
      old.filter((p) => emittedIds().includes(String(p.POHeaderId))),
      [],
    );

    // The ops API shows the poller's feed cursors (its PostgreSQL feed state), tenant-scoped: cursor = the newest PO's LastUpdateDate.
    const feeds = (await (await fetch(`${projector.url}/ops/tenants/acme/feeds`, { headers: { 'x-api-key': OPS } })).json()) as {
      feeds: Array<{ feed: string; cursor: string | null; cursorAgeMs: number | null; lastSuccessAt: string | null; lastSuccessAgeMs: number | null }>;
    };
    const poFeed = feeds.feeds.find((f) => f.feed === 'purchase-orders')!;
    const newest = Math.max(...recent.map((p) => Date.parse(p.LastUpdateDate)));
    assert.equal(Date.parse(poFeed.cursor!), newest, JSON.stringify(poFeed));
    assert.ok(poFeed.cursorAgeMs! >= 0 && Math.abs(poFeed.cursorAgeMs! - (Date.now() - newest)) < 60_000, JSON.stringify(poFeed));
    assert.ok(poFeed.lastSuccessAt && poFeed.lastSuccessAgeMs! < 60_000, JSON.stringify(poFeed));
    assert.equal((await fetch(`${projector.url}/ops/tenants/acme/feeds`, { headers: { 'x-api-key': OTHER } })).status, 403);

    const since = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10);
    const run = await mlc('backfill', 'acme', 'purchase-orders', 'invoices', '--since', since);
    assert.equal(run.code, 0, run.out + run.err);
    // Not a terminal: plain progress lines on stderr, the summary on stdout.
    assert.match(run.err, /^\[[#.]{20}\] \d\/3 feeds done, \d+ read, \d+ emitted$/m);
    assert.match(run.err, /^\[#{20}\] 3\/3 feeds done/m);
    assert.doesNotMatch(run.err, /\r/);
    const inSandbox = fusion.procurement.pos.filter((p) => Date.parse(p.LastUpdateDate) >= Date.parse(`${since}T00:00:00Z`)).length;
    assert.equal(inSandbox, 7);
    assert.match(run.out, new RegExp(`^backfill [0-9A-Z]{26} of acme since ${since}T00:00:00.000Z: done\\nFEED\\s+STATE\\s+READ\\s+EMITTED\\s+DURATION\\n`));
    assert.match(
      run.out,
      new RegExp(`^purchase-orders\\s+done\\s+${inSandbox}\\s+4\\s+\\d+\\.\\ds$`, 'm'),
      'read: every PO the sandbox holds since then; emitted: the 4 never sent',
    );
    assert.match(run.out, /^invoices \(credit-memos\)\s+done\s+\d+\s+\d+\s+\d+\.\ds$/m);
    assert.match(run.out, /^invoices \(receivables-invoices\)\s+done\s+\d+\s+\d+\s+\d+\.\ds$/m);
    await waitFor(() => old.every((p) => emittedIds().filter((id) => id === String(p.POHeaderId)).length === 1), { what: 'the backfilled POs on the topic' });

    // --no-wait answers at once with the request; --json gives the progress document.
    const queued = await mlc('backfill', 'acme', 'customers', '--since', since, '--no-wait', '--json');
    assert.equal(queued.code, 0, queued.err);
    const doc = JSON.parse(queued.out) as { requestId: string; feeds: Array<{ feed: string }> };
    assert.deepEqual(
      doc.feeds.map((f) => f.feed),
      ['customer-accounts'],
    );
    const done = await waitFor(
      async () => {
        const r = await mlc('backfill', 'acme', 'customers', '--since', since, '--json');
        return r.code === 0 ? (JSON.parse(r.out) as { status: string; feeds: Array<{ done: boolean; recordsRead: number; emitted: number }> }) : undefined;
      },
      { what: 'a waited customers backfill' },
    );
    assert.equal(done.status, 'done');
    assert.ok(done.feeds[0]!.done && done.feeds[0]!.recordsRead >= done.feeds[0]!.emitted);
  });

  it('exits 1 when a feed keeps failing (wrong credentials), naming the error; refuses bad input and other tenants', async () => {
    const failed = await mlc('backfill', 'broken', 'purchase-orders', '--since', '2026-01-01');
    assert.equal(failed.code, 1, failed.out + failed.err);
    assert.match(failed.err, /purchase-orders failing: FUSION\.AUTH, retrying/);
    assert.match(failed.out, /: failed\n[\s\S]*^purchase-orders\s+failing: FUSION\.AUTH\s+0\s+0\s+-$/m);
    const broken = (await (await fetch(`${projector.url}/ops/tenants/broken/feeds`, { headers: { 'x-api-key': OPS } })).json()) as {
      feeds: Array<{ feed: string; cursor: string | null; consecutiveFailures: number; lastError: { code: string } | null }>;
    };
    const brokenPo = broken.feeds.find((f) => f.feed === 'purchase-orders')!;
    assert.equal(brokenPo.lastError?.code, 'FUSION.AUTH', JSON.stringify(brokenPo));
    assert.ok(brokenPo.consecutiveFailures >= 1 && brokenPo.cursor === null, JSON.stringify(brokenPo));

    const scoped = await mlcAs(OTHER, 'backfill', 'acme', 'purchase-orders', '--since', '2026-01-01');
    assert.equal(scoped.code, 1);
    assert.match(scoped.err, /\(403\)/);
    const future = await mlc('backfill', 'acme', 'purchase-orders', '--since', '2999-01-01');
    assert.equal(future.code, 1);
    assert.match(future.err, /OPS\.VALIDATION \(400\): oracle-poller: since must not be in the future/);
    assert.equal((await mlc('backfill', 'acme', 'suppliers', '--since', '2026-01-01')).code, 2, 'unknown feed: usage');
    assert.equal((await mlc('backfill', 'acme', 'purchase-orders')).code, 2, '--since required');
    assert.equal((await mlc('backfill', 'acme', 'purchase-orders', '--since', 'last week')).code, 2);
  });
});
