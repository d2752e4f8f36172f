import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTraceViewer, type TraceViewer } from './trace-viewer.server';

describe('local trace viewer', () => {
  let dir: string;
  let viewer: TraceViewer;
  let traceId = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlc-traces-'));
    viewer = await startTraceViewer({ port: 0, dir });
  });
  after(async () => {
    await viewer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('receives spans from the OTLP/HTTP JSON exporter the services use', async () => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'mapper' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${viewer.url}/v1/traces` }))],
    });
    const tracer = provider.getTracer('spec');
    const root = tracer.startSpan('process erp.purchase-order.changed.v1', {
      kind: SpanKind.CONSUMER,
      attributes: { 'mlc.tenant_id': 'acme', 'mlc.business_id': 'PO-300100' },
    });
    const child = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: { 'http.response.status_code': 422 } }, trace.setSpan(context.active(), root));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'ShipBob rejected it' });
    child.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    traceId = root.spanContext().traceId;
    assert.equal(viewer.store.get(traceId).length, 2);
  });

  it('lists traces (searchable by business id) and shows one as a span tree with attributes', async () => {
    const list = await (await fetch(`${viewer.url}/?q=PO-300100`)).text();
    assert.match(list, new RegExp(`/traces/${traceId}`));
    assert.match(list, /1 error/);
    const none = await (await fetch(`${viewer.url}/?q=no-such-record`)).text();
    assert.doesNotMatch(none, new RegExp(traceId));
    const page = await (await fetch(`${viewer.url}/traces/${traceId}`)).text();
    assert.match(page, /process erp\.purchase-order\.changed\.v1/);
    assert.match(page, /mlc\.business_id/);
    assert.match(page, /ShipBob rejected it/);
    const spans = (await (await fetch(`${viewer.url}/api/traces/${traceId}`)).json()) as { name: string; parentSpanId: string; spanId: string }[];
    const parent = spans.find((s) => s.name.startsWith('process'))!;
    assert.equal(spans.find((s) => s.name === 'POST')!.parentSpanId, parent.spanId);
  });

  it('keeps traces on disk across a restart and refuses protobuf with a clear message', async () => {
    await viewer.close();
    viewer = await startTraceViewer({ port: 0, dir });
    assert.equal(viewer.store.get(traceId).length, 2);
    const res = await fetch(`${viewer.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([1, 2]) });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /http\/json/);
  });
});
