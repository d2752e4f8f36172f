import { html, useEffect, useRef, useState } from './html.js';

export const fmtTime = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '—');

export function ago(iso) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  const problems = error.body?.error?.problems;
  return html`<div class="error" role="alert">
    <strong>${error.message}</strong>
    ${
      problems?.length
        ? html`<ul>
            ${problems.map((p) => html`<li>${p.line !== undefined ? `line ${p.line}: ` : ''}${p.field} ${p.reason}</li>`)}
          </ul>`
        : null
    }
  </div>`;
}

export function Json({ value, label }) {
  return html`<pre class="json" tabindex="0" aria-label=${label}>${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>`;
}

/** Loads `fn()` when `deps` change: [data, error, reload]. */
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: undefined, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    fn().then(
      (data) => live && setState({ data, error: null }),
      (error) => live && setState({ data: undefined, error }),
    );
    return () => (live = false);
  }, [...deps, tick]);
  return [state.data, state.error, () => setTick((t) => t + 1)];
}

/**
 * A modal confirmation (the native <dialog>: focus moves in, Escape cancels, focus returns). `children` says what
 * will happen, with the number of records it moves; `needsComment` asks for a comment first.
 */
export function Confirm({ title, children, confirmLabel, onConfirm, onClose, needsComment }) {
  const ref = useRef();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    const d = ref.current;
    d.showModal();
    return () => d.open && d.close();
  }, []);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onConfirm(comment);
      onClose(true);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<dialog ref=${ref} class="confirm" aria-labelledby="confirm-title" onCancel=${() => onClose(false)}>
    <form onSubmit=${submit}>
      <h2 id="confirm-title">${title}</h2>
      <div class="confirm-body">${children}</div>
      ${
        needsComment !== undefined
          ? html`<label
              >Comment${needsComment ? ' (required)' : ''}
              <textarea name="comment" required=${needsComment} value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea>
            </label>`
          : null
      }
      <${ErrorBox} error=${error} />
      <div class="buttons">
        <button type="button" onClick=${() => onClose(false)}>Cancel</button>
        <button type="submit" class="primary" disabled=${busy}>${busy ? 'Working…' : confirmLabel}</button>
      </div>
    </form>
  </dialog>`;
}

const PALETTE = ['#1f5fa8', '#c2410c', '#15803d', '#7c3aed'];

/**
 * Grouped bars per day, drawn as SVG (no chart library): `rows` = a report's [{ day, ...values }] (the rows of several
 * tenants summed per day), `series` = { key: label } in the order drawn. A table with the same numbers follows for
 * screen readers and for reading exact values.
 */
export function BarChart({ title, rows: reported, series: labels }) {
  const series = Object.entries(labels).map(([key, label]) => ({ key, label }));
  const rows = byDay(
    reported,
    series.map((s) => s.key),
  );
  if (!rows?.length)
    return html`<figure class="chart">
      <figcaption>${title}</figcaption>
      <p class="muted">No data in this range.</p>
    </figure>`;
  const W = 640;
  const H = 200;
  const pad = { l: 44, b: 36, t: 10, r: 8 };
  const max = Math.max(1, ...rows.flatMap((r) => series.map((s) => Number(r[s.key]) || 0)));
  const groupW = (W - pad.l - pad.r) / rows.length;
  const barW = Math.max(2, Math.min(28, (groupW - 6) / series.length));
  const y = (v) => H - pad.b - ((H - pad.b - pad.t) * v) / max;
  const id = title.replace(/\W+/g, '-').toLowerCase();
  return html`<figure class="chart">
    <figcaption id=${id}>${title}</figcaption>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby=${id} preserveAspectRatio="xMinYMin meet">
      <line x1=${pad.l} x2=${W - pad.r} y1=${H - pad.b} y2=${H - pad.b} class="axis" />
      <text x=${pad.l - 6} y=${pad.t + 8} class="tick" text-anchor="end">${max}</text>
      <text x=${pad.l - 6} y=${H - pad.b} class="tick" text-anchor="end">0</text>
      ${rows.map((r, i) => {
        const x0 = pad.l + i * groupW + (groupW - barW * series.length) / 2;
        return html`<g>
          ${series.map((s, j) => {
            const v = Number(r[s.key]) || 0;
            return html`<rect x=${x0 + j * barW} y=${y(v)} width=${barW - 1} height=${H - pad.b - y(v)} fill=${PALETTE[j % PALETTE.length]}>
              <title>${r.day} ${s.label}: ${v}</title>
            </rect>`;
          })}
          ${
            rows.length <= 16 || i % Math.ceil(rows.length / 16) === 0
              ? html`<text x=${pad.l + i * groupW + groupW / 2} y=${H - pad.b + 14} class="tick" text-anchor="middle">${r.day.slice(5)}</text>`
              : null
          }
        </g>`;
      })}
    </svg>
    <ul class="legend">
      ${series.map((s, j) => html`<li><span class="swatch" style=${{ background: PALETTE[j % PALETTE.length] }}></span>${s.label}</li>`)}
    </ul>
    <details>
      <summary>Numbers</summary>
      <table>
        <${TableHead} cols=${['Day', ...series.map((s) => s.label)]} />
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr>
                <th scope="row">${r.day}</th>
                ${series.map((s) => html`<td class="num">${r[s.key] ?? 0}</td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </details>
  </figure>`;
}

/** Sums rows of several tenants into one row per day. */
function byDay(rows, keys) {
  const m = new Map();
  for (const r of rows ?? []) {
    const cur = m.get(r.day) ?? { day: r.day };
    for (const k of keys) cur[k] = (Number(cur[k]) || 0) + (Number(r[k]) || 0);
    m.set(r.day, cur);
  }
  return [...m.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

export const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z';

/** One record's audit entries in time order (oldest first): which system spoke to which, result, error, trace. */
export function Timeline({ entries, traceViewerUrl }) {
  if (!entries?.length) return html`<p class="muted">No audit entries for this record yet.</p>`;
  const sorted = [...entries].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  return html`<ol class="timeline">
    ${sorted.map(
      (e) =>
        html`<li>
          <time datetime=${e.occurredAt}>${fmtTime(e.occurredAt)}</time>
          <span class="badge ${e.result ?? ''}">${e.result ?? ''}</span>
          <span>${e.sourceSystem ?? e.source ?? ''}${e.targetSystem ? ` → ${e.targetSystem}` : ''}</span>
          <code>${e.topic}</code>
          <span>${e.businessId}</span>
          ${e.errorCode ? html`<span class="err-text"><code>${e.errorCode}</code> ${e.errorMessage ?? ''}</span>` : null}
          ${e.traceId && traceViewerUrl ? html`<a href="${traceViewerUrl.replace(/\/$/, '')}/traces/${e.traceId}" target="_blank" rel="noopener">trace</a>` : null}
        </li>`,
    )}
  </ol>`;
}

/** A table's header row: one `<th scope="col">` per column, its label text or markup (srOnly). */
export function TableHead({ cols }) {
  return html`<thead>
    <tr>
      ${cols.map((c) => html`<th scope="col">${c}</th>`)}
    </tr>
  </thead>`;
}

/** A label only screen readers read (a column of checkboxes or buttons). */
export function srOnly(label) {
  return html`<span class="sr-only">${label}</span>`;
}
