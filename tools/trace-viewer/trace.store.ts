import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ReceivedSpan } from '@mlc/platform-telemetry';

/** One trace as listed: its root (or earliest) span, the services it crossed, and what identifies the record. */
export interface TraceSummary {
  traceId: string;
  root: string;
  rootService: string;
  startMs: number;
  durationMs: number;
  spans: number;
  services: string[];
  errors: number;
  tenants: string[];
  businessIds: string[];
}

const ROTATE_BYTES = 50 * 1024 * 1024;
/** Defaults of the bounds (TRACE_VIEWER_MAX_TRACES, TRACE_VIEWER_MAX_SPANS_PER_TRACE). */
export const DEFAULT_MAX_TRACES = 2000;
export const DEFAULT_MAX_SPANS_PER_TRACE = 500;

interface Kept {
  spans: ReceivedSpan[];
  ids: Set<string>;
  /** Spans of this trace received beyond the per-trace bound (counted, not kept). */
  dropped: number;
}

/**
 * The most recent traces in memory, bounded: a ring of `maxTraces` traces (a trace that receives a span becomes the
 * newest; the least recently fed one is dropped beyond the bound) of at most `maxSpansPerTrace` spans each (later
 * spans of a trace are counted in `droppedSpans`, not kept: a poll of 20,000 purchase orders must not hold 20,000
 * spans). Every span is also appended as one JSON line to `<dir>/spans.ndjson` (rotated to spans.1.ndjson at 50 MB)
 * and read back at start (a chunk at a time, through the same bounds), so a restart keeps them.
 */
export class TraceStore {
  private readonly traces = new Map<string, Kept>();
  private readonly file: string | undefined;
  readonly maxTraces: number;
  readonly maxSpansPerTrace: number;

  constructor(private readonly opts: { dir?: string; maxTraces?: number; maxSpansPerTrace?: number } = {}) {
    this.maxTraces = positive(opts.maxTraces, DEFAULT_MAX_TRACES);
    this.maxSpansPerTrace = positive(opts.maxSpansPerTrace, DEFAULT_MAX_SPANS_PER_TRACE);
    if (opts.dir) {
      mkdirSync(opts.dir, { recursive: true });
      this.file = join(opts.dir, 'spans.ndjson');
      this.load();
    }
  }

  /** How many traces are held now (never more than maxTraces). */
  get size(): number {
    return this.traces.size;
  }

  add(spans: ReceivedSpan[], persist = true): void {
    for (const s of spans) {
      let kept = this.traces.get(s.traceId);
      if (kept) {
        // recency = insertion order: move the trace to the end
        this.traces.delete(s.traceId);
      } else {
        kept = { spans: [], ids: new Set(), dropped: 0 };
      }
      this.traces.set(s.traceId, kept);
      if (kept.ids.has(s.spanId)) continue;
      if (kept.spans.length >= this.maxSpansPerTrace) kept.dropped++;
      else {
        kept.spans.push(s);
        kept.ids.add(s.spanId);
      }
    }
    while (this.traces.size > this.maxTraces) this.traces.delete(this.traces.keys().next().value as string);
    if (persist && this.file && spans.length) {
      if (existsSync(this.file) && statSync(this.file).size > ROTATE_BYTES) renameSync(this.file, join(this.opts.dir!, 'spans.1.ndjson'));
      appendFileSync(this.file, spans.map((s) => JSON.stringify(s)).join('\n') + '\n');
    }
  }

  get(traceId: string): ReceivedSpan[] {
    return [...(this.traces.get(traceId)?.spans ?? [])].sort((a, b) => a.startMs - b.startMs);
  }

  /** Spans of the trace received beyond maxSpansPerTrace (not kept). */
  droppedSpans(traceId: string): number {
    return this.traces.get(traceId)?.dropped ?? 0;
  }

  /** Trace ids held, oldest first. */
  traceIds(): string[] {
    return [...this.traces.keys()];
  }

  /** Newest first; `q` matches trace id, span names, services and attribute values (tenant, business id...). */
  list(q = '', limit = 200): TraceSummary[] {
    const needle = q.trim().toLowerCase();
    const out: TraceSummary[] = [];
    for (const [traceId, { spans, dropped }] of [...this.traces].reverse()) {
      if (needle && !matches(traceId, spans, needle)) continue;
      const summary = summarize(traceId, spans);
      out.push(dropped ? { ...summary, spans: summary.spans + dropped } : summary);
      if (out.length >= limit) break;
    }
    return out.sort((a, b) => b.startMs - a.startMs);
  }

  /** Reads the span files back a megabyte at a time (never the whole 50 MB file as one string). */
  private load(): void {
    for (const f of ['spans.1.ndjson', 'spans.ndjson'].map((n) => join(this.opts.dir!, n))) {
      if (!existsSync(f)) continue;
      const fd = openSync(f, 'r');
      try {
        const chunk = Buffer.alloc(1024 * 1024);
        const utf8 = new StringDecoder('utf8'); // a character cut by a chunk boundary waits for the next chunk
        let rest = '';
        for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
          const lines = (rest + utf8.write(chunk.subarray(0, n))).split('\n');
          rest = lines.pop() ?? '';
          this.add(parseLines(lines), false);
        }
        this.add(parseLines([rest]), false);
      } finally {
        closeSync(fd);
      }
    }
  }
}

function parseLines(lines: string[]): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      spans.push(JSON.parse(line) as ReceivedSpan);
    } catch {
      // a line cut short by a crash: skip it
    }
  }
  return spans;
}

const positive = (v: number | undefined, dflt: number): number => (v !== undefined && Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt);

function matches(traceId: string, spans: ReceivedSpan[], needle: string): boolean {
  if (traceId.includes(needle)) return true;
  return spans.some(
    (s) =>
      s.name.toLowerCase().includes(needle) ||
      s.service.toLowerCase().includes(needle) ||
      Object.values(s.attributes).some((v) => String(v).toLowerCase().includes(needle)),
  );
}

export function summarize(traceId: string, spans: ReceivedSpan[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs);
  const root = sorted.find((s) => !s.parentSpanId || !ids.has(s.parentSpanId)) ?? sorted[0]!;
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.endMs));
  const uniq = (xs: unknown[]) => [...new Set(xs.filter((x) => x !== undefined && x !== null && x !== '').map(String))];
  return {
    traceId,
    root: root.name,
    rootService: root.service,
    startMs: start,
    durationMs: end - start,
    spans: spans.length,
    services: uniq(sorted.map((s) => s.service)),
    errors: spans.filter((s) => s.status.code === 'error').length,
    tenants: uniq(spans.map((s) => s.attributes['mlc.tenant_id'])),
    businessIds: uniq(spans.map((s) => s.attributes['mlc.business_id'])),
  };
}
