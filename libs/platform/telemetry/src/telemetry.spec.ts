import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from './telemetry';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { annotateSpan } from './span-attributes';
import { inSpan } from './record-span';
import { recordPartnerCall, setPollCursorAge } from './flow-metrics';
import { renderPrometheus } from './metrics';
import { classifyPartnerRequest, withTenant } from './partner-request';

const memory = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(memory);
startTelemetry('telemetry-spec', {}, [processor]);
/** SimpleSpanProcessor hands ended spans over asynchronously. */
const finished = async () => {
  await processor.forceFlush();
  return memory.getFinishedSpans();
};

describe('telemetry helpers', () => {
  it('annotateSpan puts tenant and business ids on the active span and drops secret-looking keys', async () => {
    await inSpan('handle', {}, async () => {
      annotateSpan({ tenantId: 'acme', entityType: 'fusion-po', businessId: '300100', poNumber: 'PO-7', clientSecret: 'x', authorization: 'Bearer y' });
    });
    const span = (await finished()).find((s) => s.name === 'handle')!;
    assert.deepEqual(span.attributes, { 'mlc.tenant_id': 'acme', 'mlc.entity_type': 'fusion-po', 'mlc.business_id': '300100', 'mlc.po_number': 'PO-7' });
  });

  it('inSpan({ newTrace }) starts one trace per record, linked to the poll span; errors mark the span', async () => {
    await inSpan('poll', {}, async (poll) => {
      await inSpan('record', { newTrace: true, annotate: { businessId: '1' } }, async () => undefined);
      await assert.rejects(
        inSpan('record', { newTrace: true, annotate: { businessId: '2' } }, async () =>
          Promise.reject(Object.assign(new Error('nope'), { code: 'FUSION.AUTH' })),
        ),
      );
      return poll;
    });
    const spans = await finished();
    const poll = spans.find((s) => s.name === 'poll')!;
    const records = spans.filter((s) => s.name === 'record');
    assert.equal(records.length, 2);
    for (const r of records) {
      assert.notEqual(r.spanContext().traceId, poll.spanContext().traceId);
      assert.equal(r.parentSpanContext, undefined);
      assert.equal(r.links[0]!.context.spanId, poll.spanContext().spanId);
    }
    assert.equal(records[1]!.status.code, 2);
    assert.equal(records[1]!.attributes['mlc.error_code'], 'FUSION.AUTH');
  });

  it('fetch calls get a client span, a traceparent header and no query string in url.full', async () => {
    let seen: string | undefined;
    const server = createServer((req, res) => {
      seen = req.headers['traceparent'] as string;
      res.writeHead(429).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      await inSpan('write', {}, async () => (await fetch(`http://127.0.0.1:${port}/orders?api_key=k1`)).text());
    } finally {
      server.close();
    }
    const spans = await finished();
    const call = spans.find((s) => s.name === 'GET')!;
    assert.equal(seen, `00-${call.spanContext().traceId}-${call.spanContext().spanId}-01`);
    assert.equal(call.attributes['url.full'], `http://127.0.0.1:${call.attributes['server.port']}/orders`);
    assert.equal(call.attributes['http.response.status_code'], 429);
    assert.equal(call.status.code, 2);
    assert.equal(call.parentSpanContext?.spanId, spans.find((s) => s.name === 'write')!.spanContext().spanId);
  });

  it('flow metrics render in the Prometheus format', async () => {
    recordPartnerCall({ partner: 'fusion', operation: 'getPurchaseOrders', status: 200, durationMs: 250, tenantId: 'acme' });
    setPollCursorAge({ flow: 'purchase-orders', tenantId: 'acme', cursor: 1_000, now: 61_000 });
    const text = await renderPrometheus();
    assert.match(text, /^mlc_partner_calls_total\{partner="fusion",operation="getPurchaseOrders",status="200",tenant="acme"\} 1$/m);
    assert.match(text, /^mlc_partner_call_duration_seconds_sum\{partner="fusion",operation="getPurchaseOrders",status="200",tenant="acme"\} 0\.25$/m);
    assert.match(text, /^mlc_poll_cursor_age_seconds\{flow="purchase-orders",tenant="acme"\} 60$/m);
    assert.match(text, /^mlc_fetch_request_duration_seconds_count\{.*http_response_status_code="429".*\} 1$/m);
  });

  it('recognises partner API calls by path: stable operation names, token endpoints', () => {
    const c = (m: string, u: string) => classifyPartnerRequest(m, new URL(u));
    assert.deepEqual(c('GET', 'https://x.fa.oraclecloud.com/fscmRestApi/resources/11.13.18.05/purchaseOrders/300100/child/lines?q=1'), {
      partner: 'fusion',
      operation: 'GET purchaseOrders',
      tokenRequest: false,
    });
    assert.deepEqual(c('POST', 'https://idcs-1.identity.oraclecloud.com/oauth2/v1/token'), { partner: 'fusion', operation: 'token', tokenRequest: true });
    assert.deepEqual(c('POST', 'http://127.0.0.1:4020/2026-01/order'), { partner: 'shipbob', operation: 'POST order', tokenRequest: false });
    assert.deepEqual(c('POST', 'https://auth.shipbob.com/connect/token'), { partner: 'shipbob', operation: 'token', tokenRequest: true });
    assert.deepEqual(c('POST', 'https://s.myshopify.com/admin/api/2026-01/graphql.json'), {
      partner: 'shopify',
      operation: 'POST graphql',
      tokenRequest: false,
    });
    assert.deepEqual(c('POST', 'https://s.myshopify.com/admin/oauth/access_token'), { partner: 'shopify', operation: 'token', tokenRequest: true });
    assert.equal(c('GET', 'http://127.0.0.1:3001/health/ready'), undefined);
  });

  it('a partner call inside a record records latency, status and token refreshes for the record’s tenant', async () => {
    const server = createServer((req, res) => res.writeHead(req.url?.includes('token') ? 401 : 201).end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await withTenant('globex', async () => {
        await (await fetch(`${base}/2026-01/order`, { method: 'POST', body: '{}' })).text();
        await (await fetch(`${base}/connect/token`, { method: 'POST', body: 'grant_type=refresh_token' })).text();
      });
    } finally {
      server.close();
    }
    const text = await renderPrometheus();
    assert.match(text, /^mlc_partner_calls_total\{partner="shipbob",operation="POST order",status="201",tenant="globex"\} 1$/m);
    assert.match(text, /^mlc_token_refreshes_total\{partner="shipbob",outcome="failed",tenant="globex"\} 1$/m);
    const call = (await finished()).find((s) => s.attributes['mlc.operation'] === 'POST order')!;
    assert.equal(call.attributes['mlc.partner'], 'shipbob');
    assert.equal(call.attributes['mlc.tenant_id'], 'globex');
  });
});
