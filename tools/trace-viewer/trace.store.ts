import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * The most recent traces in memory (oldest dropped beyond `maxTraces`), every span also appended as one JSON line to
 * `<dir>/spans.ndjson` (rotated to spans.1.ndjson at 50 MB) and read back at start, so a restart keeps them.
 */
export class TraceStore {
  private readonly traces = new Map<string, ReceivedSpan[]>();
  private readonly file: string | undefined;

  constructor(private readonly opts: { dir?: string; maxTraces?: number } = {}) {
    if (opts.dir) {
      mkdirSync(opts.dir, { recursive: true });
      this.file = join(opts.dir, 'spans.ndjson');
      this.load();
    }
  }

  add(spans: ReceivedSpan[], persist = true): void {
    for (const s of spans) {
      const list = this.traces.get(s.traceId);
      if (list) {
        if (!list.some((x) => x.spanId === s.spanId)) list.push(s);
        // keep insertion order = recency: move the trace to the end
        this.traces.delete(s.traceId);
        this.traces.set(s.traceId, list);
      } else {
        this.traces.set(s.traceId, [s]);
      }
    }
    const max = this.opts.maxTraces ?? 1000;
    while (this.traces.size > max) this.traces.delete(this.traces.keys().next().value as string);
    if (persist && this.file && spans.length) {
      if (existsSync(this.file) && statSync(this.file).size > ROTATE_BYTES) renameSync(this.file, join(this.opts.dir!, 'spans.1.ndjson'));
      appendFileSync(this.file, spans.map((s) => JSON.stringify(s)).join('\n') + '\n');
    }
  }

  get(traceId: string): ReceivedSpan[] {
    return [...(this.traces.get(traceId) ?? [])].sort((a, b) => a.startMs - b.startMs);
  }

  /** Newest first; `q` matches trace id, span names, services and attribute values (tenant, business id...). */
  list(q = '', limit = 200): TraceSummary[] {
    const needle = q.trim().toLowerCase();
    const out: TraceSummary[] = [];
    for (const [traceId, spans] of [...this.traces].reverse()) {
      if (needle && !matches(traceId, spans, needle)) continue;
      out.push(summarize(traceId, spans));
      if (out.length >= limit) break;
    }
    return out.sort((a, b) => b.startMs - a.startMs);
  }

  private load(): void {
    for (const f of ['spans.1.ndjson', 'spans.ndjson'].map((n) => join(this.opts.dir!, n))) {
      if (!existsSync(f)) continue;
      const spans: ReceivedSpan[] = [];
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          spans.push(JSON.parse(line) as ReceivedSpan);
        } catch {
          // a line cut short by a crash: skip it
        }
      }
      this.add(spans, false);
    }
  }
}

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
