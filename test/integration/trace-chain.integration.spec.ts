import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import type { ReceivedSpan } from '@mlc/platform-telemetry';
import {
  startOtlpReceiver,
  startService,
  testDatabase,
  testKafka,
  TEST_ENCRYPTION_KEYS,
  waitFor,
  type OtlpReceiver,
  type RunningService,
  type TestDatabase,
} from '@mlc/platform-testing';
import { createTenantsDataSource, InMemoryTenantChangePublisher, SecretBox, TenantConfigService } from '@mlc/tenants';

const TENANT = 'trace-chain';
const PAT = 'sbpat_trace_chain_00000000000000000000000000000';
const CHANNEL = 6161;

/**
 * The real purchase-order chain, every hop a real process exporting OTLP to an in-process receiver: the Fusion sandbox
 * holds a PO -> oracle-poller publishes erp.purchase-order.changed.v1 -> mapper publishes
 * fulfilment.shipbob-order.requested.v1 -> shipbob-writer creates the order in the ShipBob sandbox. The record's spans
 * share one trace id, each consumer span is the child of the producer span that sent its record, and the ShipBob
 * call sits under the writer's consumer span.
 */
describe('one trace for one purchase order: oracle-poller -> mapper -> shipbob-writer -> ShipBob', () => {
  let kafka: Kafka;
  let suffix: string;
  let db: TestDatabase;
  let receiver: OtlpReceiver;
  let fusion: FusionSandbox;
  let shipbob: ShipbobSandbox;
  let ds: ReturnType<typeof createTenantsDataSource>;
  let services: RunningService[] = [];
  let poHeaderId = '';

  before(async () => {
    receiver = await startOtlpReceiver();
    ({ kafka, suffix } = await testKafka('trace-chain'));
    void kafka;
    db = await testDatabase('trace_chain');
    fusion = new FusionSandbox({ seed: 11 });
    await fusion.listen(0);
    const [po] = fusion.seedPurchaseOrders({
      count: 1,
      linesPerPo: 1,
      items: ['AS-TRACE'],
      locations: [{ LocationCode: 'SEATTLE', TownOrCity: 'Seattle', Region2: 'WA', PostalCode: '98101', Country: 'US', AddressLine1: '1 Dock Road' }],
    });
    poHeaderId = String(po!.POHeaderId);
    shipbob = new ShipbobSandbox({ seed: 11 });
    await shipbob.listen(0);
    shipbob.seedData({
      channel: { id: CHANNEL, name: 'ML Connector' },
      pat: PAT,
      fulfillmentCenters: [{ id: 8, name: 'Seattle FC', address: { address1: '1 FC Way', city: 'Kent', state: 'WA', country: 'US', zip_code: '98032' } }],
      products: [{ sku: 'SKU-TRACE', name: 'Traced thing', on_hand_qty: 100 }],
    });
    ds = createTenantsDataSource(db.url);
    await ds.initialize();
    const tenants = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(TEST_ENCRYPTION_KEYS), publisher: new InMemoryTenantChangePublisher() });
    await tenants.createTenant({ id: TENANT, name: 'Trace chain', settings: { pollingIntervalsMs: { purchaseOrdersMs: 1000, receiptsMs: 60_000 } } }, 'test');
    await tenants.setConnection(
      TENANT,
      { partner: 'fusion', baseUrl: fusion.url, auth: { type: 'basic', username: 'mlc.integration', password: 'sandbox-password' } },
      'test',
    );
    await tenants.setConnection(
      TENANT,
      { partner: 'shipbob', baseUrl: shipbob.url, channelId: CHANNEL, webhookSecrets: [`whsec_${'C'.repeat(32)}`], auth: { type: 'pat', token: PAT } },
      'test',
    );
    await tenants.setMapping(TENANT, 'item-product', 'AS-TRACE', { shipbobSku: 'SKU-TRACE' }, 'test');
    await tenants.setMapping(TENANT, 'ship-to-fc', 'SEATTLE', { fulfillmentCenterId: 8 }, 'test');
    const env = {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      TENANT_CACHE_TTL_MS: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    };
    services = await Promise.all([
      startService('mapper', env),
      startService('shipbob-writer', env),
      startService('oracle-poller', { ...env, POLLER_TICK_MS: '100', POLLER_TENANT_REFRESH_MS: '500' }),
    ]);
  });

  after(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await shipbob?.close();
    await fusion?.close();
    await receiver?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('the PO’s spans share one trace id with producer -> consumer parent links down to the ShipBob call', async (t) => {
    const shipbobPort = Number(new URL(shipbob.url).port);
    await waitFor(
      async () =>
        ((await (await fetch(`${shipbob.url}/__admin/orders`)).json()) as { items: { reference_id: string }[] }).items.some((o) =>
          o.reference_id.startsWith(`po${poHeaderId}-`),
        ),
      { what: 'the ShipBob order of the PO', timeoutMs: 45_000 },
    );
    const call = await receiver.waitFor(
      (spans) =>
        spans.find(
          (s) =>
            s.service === 'shipbob-writer' &&
            s.kind === 'client' &&
            s.name === 'POST' &&
            s.attributes['server.port'] === shipbobPort &&
            String(s.attributes['url.path']).endsWith('/order'),
        ),
      { what: 'the writer’s POST /order span', timeoutMs: 15_000 },
    );
    const t1 = `erp.purchase-order.changed.v1${suffix}`;
    const t2 = `fulfilment.shipbob-order.requested.v1${suffix}`;
    // The spans arrive in batches, and a consumer span ends (and is exported) after the calls under it: wait until
    // every hop of the chain is in.
    const hops: Array<[string, string]> = [
      ['oracle-poller', `send ${t1}`],
      ['mapper', `process ${t1}`],
      ['mapper', `send ${t2}`],
      ['shipbob-writer', `process ${t2}`],
    ];
    const spans = await receiver.waitFor(
      (all) => {
        const mine = all.filter((s) => s.traceId === call.traceId);
        const whole = hops.every(([service, name]) => mine.some((s) => s.service === service && s.name === name)) && mine.some((s) => !s.parentSpanId);
        return whole ? mine : undefined;
      },
      { what: 'the whole chain in one trace', timeoutMs: 15_000 },
    );
    const list = () => spans.map((s) => `${s.service}:${s.name}`).join(', ');
    const find = (service: string, name: string, kind: string): ReceivedSpan => {
      const s = spans.find((x) => x.service === service && x.name === name && x.kind === kind);
      assert.ok(s, `${service} ${kind} span '${name}' in the trace; spans: ${list()}`);
      return s;
    };
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const under = (s: ReceivedSpan, ancestor: ReceivedSpan) => {
      for (let p = byId.get(s.parentSpanId); p; p = byId.get(p.parentSpanId)) if (p.spanId === ancestor.spanId) return true;
      return false;
    };
    const pollerSend = find('oracle-poller', `send ${t1}`, 'producer');
    const mapperProcess = find('mapper', `process ${t1}`, 'consumer');
    const mapperSend = find('mapper', `send ${t2}`, 'producer');
    const writerProcess = find('shipbob-writer', `process ${t2}`, 'consumer');
    assert.equal(mapperProcess.parentSpanId, pollerSend.spanId, 'mapper consumes what the poller sent');
    assert.ok(under(mapperSend, mapperProcess), 'the mapper publishes inside its consumer span');
    assert.equal(writerProcess.parentSpanId, mapperSend.spanId, 'the writer consumes what the mapper sent');
    assert.ok(under(call, writerProcess), 'the ShipBob call sits under the writer’s consumer span');
    for (const s of [pollerSend, mapperProcess, mapperSend, writerProcess])
      assert.equal(s.attributes['mlc.tenant_id'], TENANT, `${s.service} ${s.name} names the tenant`);
    assert.equal(mapperProcess.attributes['messaging.consumer.group.name'], `mapper.purchase-orders${suffix}`);
    assert.equal(writerProcess.attributes['messaging.consumer.group.name'], `shipbob-writer.orders${suffix}`);
    // how far up the trace goes: a root span in the poller (the poll) or the poller's send itself
    const root = spans.find((s) => !s.parentSpanId)!;
    assert.equal(root.service, 'oracle-poller', `the trace starts in oracle-poller (root ${root.name})`);
    assert.deepEqual(receiver.rejected(), []);
    // partner latency and status, recognised centrally from the writer's fetch and labelled with the record's tenant
    assert.equal(call.attributes['mlc.partner'], 'shipbob');
    assert.equal(call.attributes['mlc.tenant_id'], TENANT);
    const writer = services[1]!;
    const metrics = await (await fetch(`${writer.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`^mlc_partner_calls_total\\{partner="shipbob",operation="POST order",status="201",tenant="${TENANT}"\\} 1$`, 'm'));
    assert.match(
      metrics,
      new RegExp(
        `^mlc_records_handled_total\\{topic="fulfilment.shipbob-order.requested.v1",group="shipbob-writer.orders${suffix}",tenant="${TENANT}"\\} \\d+$`,
        'm',
      ),
    );
    const depth = (s: ReceivedSpan): number => (byId.get(s.parentSpanId) ? 1 + depth(byId.get(s.parentSpanId)!) : 0);
    t.diagnostic(
      `trace ${call.traceId}:\n${[...spans]
        .sort((a, b) => a.startMs - b.startMs)
        .map((s) => `${'  '.repeat(depth(s))}${s.service} ${s.kind} ${s.name}`)
        .join('\n')}`,
    );
  });
});
