import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReceivedSpan } from '@mlc/platform-telemetry';
import { DEFAULT_MAX_TRACES, TraceStore } from './trace.store';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const span = (trace: number, n: number, attrs: Record<string, unknown> = {}): ReceivedSpan => ({
  traceId: hex(trace, 32),
  spanId: hex(n + 1, 16),
  parentSpanId: n === 0 ? '' : hex(1, 16),
  name: n === 0 ? `poll ${trace}` : `span ${n}`,
  kind: 'internal',
  service: 'oracle-poller',
  startMs: 1_000_000 + trace * 10 + n,
  endMs: 1_000_001 + trace * 10 + n,
  attributes: { 'mlc.business_id': `PO-${trace}`, ...attrs },
  status: { code: 'unset' },
  events: [],
  links: [],
  scope: 'spec',
});

describe('trace store bounds (the trace viewer of `npm start`)', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('holds at most N traces (the default) when fed 10 N, and keeps the newest', () => {
    const store = new TraceStore();
    const n = DEFAULT_MAX_TRACES;
    for (let t = 1; t <= 10 * n; t++) {
      store.add([span(t, 0), span(t, 1)]);
      if (t % n === 0) assert.equal(store.size, n);
    }
    assert.equal(store.size, n);
    const ids = store.traceIds();
    assert.equal(ids[0], hex(9 * n + 1, 32));
    assert.equal(ids.at(-1), hex(10 * n, 32));
    assert.equal(store.get(hex(9 * n, 32)).length, 0);
    assert.equal(store.get(hex(10 * n, 32)).length, 2);
    const listed = store.list('', 10 * n);
    assert.equal(listed.length, n);
    assert.equal(listed[0]!.businessIds[0], `PO-${10 * n}`);
  });

  it('a trace that receives a span becomes the newest (the oldest quiet one goes first)', () => {
    const store = new TraceStore({ maxTraces: 3 });
    [1, 2, 3].forEach((t) => store.add([span(t, 0)]));
    store.add([span(1, 1)]);
    store.add([span(4, 0)]);
    assert.deepEqual(
      store.traceIds(),
      [3, 1, 4].map((t) => hex(t, 32)),
    );
  });

  it('keeps at most maxSpansPerTrace spans of one trace, counts the rest, and ignores a span received twice', () => {
    const store = new TraceStore({ maxTraces: 10, maxSpansPerTrace: 50 });
    for (let n = 0; n < 5000; n++) store.add([span(7, n)]);
    store.add([span(7, 0)]);
    assert.equal(store.get(hex(7, 32)).length, 50);
    assert.equal(store.droppedSpans(hex(7, 32)), 4950);
    assert.equal(store.list('PO-7')[0]!.spans, 5000);
  });

  it('reads its files back through the same bounds after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-trace-store-'));
    dirs.push(dir);
    const first = new TraceStore({ dir, maxTraces: 1000 });
    for (let t = 1; t <= 300; t++) first.add([span(t, 0, { note: 'é€😀'.repeat(t % 7) })]);
    const again = new TraceStore({ dir, maxTraces: 100 });
    assert.equal(again.size, 100);
    assert.equal(again.traceIds().at(-1), hex(300, 32));
    assert.equal(again.get(hex(300, 32))[0]!.attributes['note'], 'é€😀'.repeat(300 % 7));
  });
});
