import type { ReceivedSpan } from '@mlc/platform-telemetry';
import type { TraceSummary } from './trace.store';

const esc = (v: unknown) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
const time = (v: number) => new Date(v).toISOString().replace('T', ' ').slice(0, 23);

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
a{color:#0b57d0;text-decoration:none} a:hover{text-decoration:underline}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#fafafa} .err{color:#b3261e;font-weight:600} .muted{color:#777} code{font-size:12px}
.bar{position:relative;height:14px;background:#f3f3f3;min-width:300px} .bar span{position:absolute;top:2px;height:10px;background:#4c8bf5;border-radius:2px}
.bar span.error{background:#d93025} .kind{font-size:11px;color:#555;border:1px solid #ccc;border-radius:3px;padding:0 3px}
details summary{cursor:pointer} .attrs td{border:none;padding:1px 8px;font-size:12px}
`;

function layout(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function listPage(traces: TraceSummary[], q: string): string {
  const rows = traces
    .map(
      (t) => `<tr><td><a href="/traces/${esc(t.traceId)}">${esc(t.root)}</a><div class="muted"><code>${esc(t.traceId)}</code></div></td>
<td>${esc(time(t.startMs))}</td><td>${esc(ms(t.durationMs))}</td><td>${t.spans}${t.errors ? ` <span class="err">${t.errors} error${t.errors > 1 ? 's' : ''}</span>` : ''}</td>
<td>${esc(t.services.join(' → '))}</td><td>${esc(t.tenants.join(', '))}</td><td>${esc(t.businessIds.join(', '))}</td></tr>`,
    )
    .join('\n');
  return layout(
    'ml-connector traces',
    `<h1>Traces</h1>
<form method="get" action="/"><input name="q" value="${esc(q)}" size="50" placeholder="business id (POHeaderId, reference id), tenant, topic, trace id…"> <button>Find</button> <a href="/">all</a></form>
<p class="muted">${traces.length} trace(s), newest first. Services export here with OTEL_EXPORTER_OTLP_ENDPOINT; JSON: <a href="/api/traces">/api/traces</a></p>
<table><tr><th>root span</th><th>started (UTC)</th><th>duration</th><th>spans</th><th>services</th><th>tenant</th><th>business ids</th></tr>${rows}</table>`,
  );
}

export function tracePage(traceId: string, spans: ReceivedSpan[]): string {
  if (!spans.length) return layout('trace not found', `<p>No spans for trace <code>${esc(traceId)}</code>. <a href="/">back</a></p>`);
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : '';
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const start = Math.min(...spans.map((s) => s.startMs));
  const total = Math.max(1, Math.max(...spans.map((s) => s.endMs)) - start);
  const rows: string[] = [];
  const walk = (parent: string, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
      const left = ((s.startMs - start) / total) * 100;
      const width = Math.max(0.3, ((s.endMs - s.startMs) / total) * 100);
      const attrs = Object.entries(s.attributes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td><code>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</code></td></tr>`)
        .join('');
      const events = s.events
        .map(
          (e) =>
            `<tr><td><code>event +${esc(ms(e.timeMs - s.startMs))}</code></td><td><code>${esc(e.name)} ${esc(JSON.stringify(e.attributes))}</code></td></tr>`,
        )
        .join('');
      const error = s.status.code === 'error';
      rows.push(`<tr><td style="padding-left:${8 + depth * 18}px"><details><summary>${error ? '<span class="err">✖</span> ' : ''}${esc(s.name)} <span class="kind">${esc(s.kind)}</span></summary>
<table class="attrs"><tr><td><code>span</code></td><td><code>${esc(s.spanId)}</code> parent <code>${esc(s.parentSpanId || '—')}</code></td></tr>${error && s.status.message ? `<tr><td><code>status</code></td><td class="err">${esc(s.status.message)}</td></tr>` : ''}${attrs}${events}</table></details></td>
<td>${esc(s.service)}</td><td>${esc(ms(s.endMs - s.startMs))}</td><td class="muted">+${esc(ms(s.startMs - start))}</td>
<td><div class="bar"><span class="${error ? 'error' : ''}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></span></div></td></tr>`);
      walk(s.spanId, depth + 1);
    }
  };
  walk('', 0);
  return layout(
    `trace ${traceId}`,
    `<p><a href="/">← traces</a></p><h1>Trace <code>${esc(traceId)}</code></h1>
<p class="muted">${spans.length} spans, ${esc(ms(total))}, started ${esc(time(start))} UTC · <a href="/api/traces/${esc(traceId)}">JSON</a></p>
<table><tr><th>span (click for attributes)</th><th>service</th><th>duration</th><th>start</th><th style="width:35%">timeline</th></tr>${rows.join('\n')}</table>`,
  );
}
