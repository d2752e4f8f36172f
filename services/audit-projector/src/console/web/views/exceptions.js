import { html, useState } from '../html.js';
import { enc, followJob, get, post, query } from '../api.js';
import { Confirm, ErrorBox, Json, TableHead, Timeline, ago, fmtTime, srOnly, useLoad } from '../ui.js';

/** `item-product:AS9` in an exception's reason or details: the mapping whose absence parked the record. */
export function missingMapping(ex) {
  const text = `${ex.reason ?? ''} ${JSON.stringify(ex.details ?? {})}`;
  const m = /(item-product|supplier-fc|ship-to-fc|ship-to-address|shipbob-event-rule):([^"\s,\]}]+)/.exec(text);
  return m ? { kind: m[1], key: m[2] } : undefined;
}

/** Rows listed at first and added by "Show more": the first view stays small however long the queue is. */
const PAGE = 100;

function JobResult({ job }) {
  if (!job) return null;
  const r = job.result ?? {};
  return html`<p role="status" class="status">
    ${
      job.status === 'running'
        ? `Replaying… ${job.done ?? 0} of ${job.total ?? '?'}`
        : `Replay ${job.status}: ${r.replayed ?? 0} replayed${r.failed?.length ? `, ${r.failed.length} failed (${r.failed.map((f) => f.error).join('; ')})` : ''}.`
    }
  </p>`;
}

export function Exceptions({ tenant, route }) {
  const p = route.params;
  const [filter, setFilter] = useState({ status: p.status ?? 'open', code: p.code ?? '', businessId: p.businessId ?? '', entityType: p.entityType ?? '' });
  const [shown, setShown] = useState(PAGE);
  const [list, error, reload] = useLoad(() => get(`/ops/exceptions${query({ tenant, ...filter, limit: shown })}`), [tenant, JSON.stringify(filter), shown]);
  const [selected, setSelected] = useState(new Set());
  const [confirm, setConfirm] = useState(null);
  const [job, setJob] = useState(null);
  const rows = list?.exceptions ?? [];
  const codes = [...new Set(rows.map((r) => r.code))].sort();
  const chosen = rows.filter((r) => selected.has(r.id));
  const toggle = (id) => {
    const s = new Set(selected);
    s.has(id) ? s.delete(id) : s.add(id);
    setSelected(s);
  };
  const onFilter = (e) => {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(e.target));
    setSelected(new Set());
    setShown(PAGE);
    setFilter(f);
  };
  const total = list?.total ?? rows.length;
  /** Replay-all moves every open match, listed or not: counted by the server when the confirmation opens. */
  const confirmReplayAll = async () => {
    const r = await get(`/ops/exceptions${query({ tenant, ...filter, status: 'open', limit: 1 })}`);
    setConfirm({ kind: 'replay-all', count: r.total ?? r.exceptions.length });
  };
  const replay = async (body, comment) => {
    const started = await post('/ops/exceptions/replay', { ...body, comment: comment || undefined });
    setJob(started);
    followJob(started.id, setJob).then(() => reload(), reload);
  };
  return html`<section aria-labelledby="exceptions-title">
    <h1 id="exceptions-title">Exceptions</h1>
    <form class="filters" onSubmit=${onFilter} role="search" aria-label="Filter exceptions">
      <label
        >Status
        <select name="status">
          ${['open', 'resolved', 'all'].map((v) => html`<option value=${v} selected=${filter.status === v}>${v}</option>`)}
        </select>
      </label>
      <label>Code<input name="code" list="codes" defaultValue=${filter.code} placeholder="MAPPING.MISSING_PRODUCT" /></label>
      <datalist id="codes">${codes.map((c) => html`<option value=${c} />`)}</datalist>
      <label>Business id<input name="businessId" defaultValue=${filter.businessId} placeholder="po8001-l82-r0" /></label>
      <label>Entity<input name="entityType" defaultValue=${filter.entityType} placeholder="purchase-order-line" /></label>
      <button type="submit">Search</button>
    </form>
    <${ErrorBox} error=${error} />
    <div class="toolbar">
      <button type="button" disabled=${!chosen.length} onClick=${() => setConfirm({ kind: 'replay-selected' })}>Replay selected (${chosen.length})</button>
      <button type="button" disabled=${!rows.some((r) => r.status === 'open')} onClick=${confirmReplayAll}>
        Replay all matching${filter.status === 'open' ? ` (${total})` : ' open'}
      </button>
      <button type="button" disabled=${!chosen.length} onClick=${() => setConfirm({ kind: 'dismiss' })}>Dismiss selected (${chosen.length})</button>
      <button type="button" onClick=${reload}>Refresh</button>
    </div>
    <${JobResult} job=${job} />
    ${
      list === undefined && !error
        ? html`<p class="loading">Loading…</p>`
        : !rows.length
          ? html`<p class="empty">No ${filter.status === 'all' ? '' : filter.status} exceptions for ${tenant}.</p>`
          : html`<table class="grid">
                <caption class="sr-only">
                  Exceptions of ${tenant}
                </caption>
                <${TableHead} cols=${[srOnly('Select'), 'Record', 'Code', 'Reason', 'Service', 'Last seen', 'Status']} />
                <tbody>
                  ${rows.map(
                    (r) =>
                      html`<tr>
                        <td><input type="checkbox" aria-label=${`Select ${r.businessId}`} checked=${selected.has(r.id)} onChange=${() => toggle(r.id)} /></td>
                        <td>
                          <a href="#/exceptions/${enc(r.id)}">${r.businessId}</a>
                          <div class="muted">${r.entityType}</div>
                        </td>
                        <td><code>${r.code}</code></td>
                        <td>${r.reason}</td>
                        <td>${r.service}</td>
                        <td title=${fmtTime(r.lastSeenAt)}>${ago(r.lastSeenAt)}</td>
                        <td>
                          <span class="badge ${r.status}">${r.status}</span
                          >${r.replayCount ? html` <span class="muted">replayed ${r.replayCount}×</span>` : null}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              <p class="muted">
                ${rows.length} of ${total} shown.${' '}
                ${rows.length < total ? html`<button type="button" onClick=${() => setShown(shown + PAGE)}>Show ${Math.min(PAGE, total - rows.length)} more</button>` : null}
              </p>`
    }
    ${
      confirm?.kind === 'replay-selected'
        ? html`<${Confirm}
            title="Replay exceptions"
            confirmLabel=${`Replay ${chosen.length}`}
            needsComment=${false}
            onConfirm=${(c) => replay({ ids: chosen.map((r) => r.id) }, c)}
            onClose=${() => setConfirm(null)}
          >
            <p>
              <strong>${chosen.length} record${chosen.length === 1 ? '' : 's'}</strong> will be republished to their source topics, unchanged, and run again
              through the current mappings.
            </p>
          <//>`
        : null
    }
    ${
      confirm?.kind === 'replay-all'
        ? html`<${Confirm}
            title="Replay every matching exception"
            confirmLabel=${`Replay ${confirm.count}`}
            needsComment=${false}
            onConfirm=${(c) => replay({ filter: { tenant, status: 'open', code: filter.code || undefined, businessId: filter.businessId || undefined, entityType: filter.entityType || undefined } }, c)}
            onClose=${() => setConfirm(null)}
          >
            <p>
              <strong>${confirm.count} open record(s)</strong> of ${tenant}${filter.code ? ` with code ${filter.code}` : ''} will be republished, oldest first.
            </p>
          <//>`
        : null
    }
    ${
      confirm?.kind === 'dismiss'
        ? html`<${Confirm}
            title="Dismiss exceptions"
            confirmLabel=${`Dismiss ${chosen.length}`}
            needsComment=${true}
            onConfirm=${async (c) => {
              for (const r of chosen) await post(`/ops/exceptions/${enc(r.id)}/resolve`, { comment: c });
              setSelected(new Set());
              reload();
            }}
            onClose=${() => setConfirm(null)}
          >
            <p>
              <strong>${chosen.length} record${chosen.length === 1 ? '' : 's'}</strong> will be marked resolved without running again (nothing is sent to a
              partner).
            </p>
          <//>`
        : null
    }
  </section>`;
}

export function ExceptionDetail({ tenant, session, route }) {
  const id = route.rest[0];
  const [ex, error, reload] = useLoad(() => get(`/ops/exceptions/${enc(id)}`), [id]);
  const [timeline] = useLoad(
    () => (ex ? get(`/ops/timeline${query({ tenant: ex.tenantId, entityType: ex.entityType, businessId: ex.businessId })}`) : Promise.resolve(null)),
    [ex?.id],
  );
  const [confirm, setConfirm] = useState(null);
  const [note, setNote] = useState(null);
  if (error)
    return html`<section>
      <h1>Exception</h1>
      <${ErrorBox} error=${error} />
      <p><a href="#/exceptions">Back to the exceptions</a></p>
    </section>`;
  if (!ex) return html`<p class="loading">Loading…</p>`;
  const missing = missingMapping(ex);
  const trace = session.traceViewerUrl ? `${session.traceViewerUrl.replace(/\/$/, '')}/?q=${enc(ex.businessId)}` : null;
  return html`<section aria-labelledby="exception-title">
    <p><a href="#/exceptions">← Exceptions</a></p>
    <h1 id="exception-title">${ex.businessId} <span class="badge ${ex.status}" data-testid="exception-status">${ex.status}</span></h1>
    <dl class="facts">
      <dt>Code</dt>
      <dd><code>${ex.code}</code> (${ex.category})</dd>
      <dt>Reason</dt>
      <dd>${ex.reason}</dd>
      <dt>Parked by</dt>
      <dd>${ex.service} after ${ex.attempts} attempt(s), seen ${ex.occurrences}× — first ${fmtTime(ex.firstSeenAt)}, last ${fmtTime(ex.lastSeenAt)}</dd>
      <dt>Source</dt>
      <dd><code>${ex.sourceTopic}</code> partition ${ex.sourcePartition} offset ${ex.sourceOffset}, key <code>${ex.sourceKey}</code></dd>
      ${
        ex.status === 'resolved'
          ? html`<dt>Resolved</dt>
              <dd>${ex.resolution} by ${ex.resolvedBy ?? '—'} at ${fmtTime(ex.resolvedAt)} ${ex.resolveComment ?? ''}</dd>`
          : null
      }
      ${
        ex.replayCount
          ? html`<dt>Replays</dt>
              <dd>${ex.replayCount}, last by ${ex.lastReplayedBy} ${ago(ex.lastReplayedAt)}</dd>`
          : null
      }
      <dt>Trace</dt>
      <dd>${trace ? html`<a href=${trace} target="_blank" rel="noopener">Open the trace of ${ex.businessId}</a>` : 'no trace viewer configured'}</dd>
    </dl>
    ${
      missing && ex.status === 'open'
        ? html`<p class="hint">
            The mapping <code>${missing.kind}</code> <strong>${missing.key}</strong> is missing.${' '}
            <a href="#/mappings?kind=${enc(missing.kind)}&key=${enc(missing.key)}">Add it in the mapping editor</a>, then replay.
          </p>`
        : null
    }
    <div class="toolbar">
      <button type="button" class="primary" onClick=${() => setConfirm('replay')}>Replay</button>
      <button type="button" onClick=${() => setConfirm('correct')} disabled=${!ex.payload?.decoded || ex.payload.decoded.undecodable}>Correct and retry</button>
      <button type="button" onClick=${() => setConfirm('dismiss')} disabled=${ex.status !== 'open'}>Dismiss</button>
      <button type="button" onClick=${reload}>Refresh</button>
    </div>
    ${note ? html`<p role="status" class="status">${note}</p>` : null}
    <h2>Partner's answer and details</h2>
    <${Json} value=${ex.details} label="Error details" />
    <h2>The record</h2>
    <${Json} value=${ex.payload?.decoded ?? ex.payload} label="The parked record" />
    <h2>Audit timeline</h2>
    <${Timeline} entries=${timeline?.entries} traceViewerUrl=${session.traceViewerUrl} />
    ${
      confirm === 'replay'
        ? html`<${Confirm}
            title="Replay this record"
            confirmLabel="Replay 1"
            needsComment=${false}
            onConfirm=${async (c) => {
              const r = await post(`/ops/exceptions/${enc(ex.id)}/replay`, { comment: c || undefined });
              setNote(`Republished to ${r.republishedTo} (${r.bytes} bytes). The exception resolves itself when the record goes through.`);
              setTimeout(reload, 1500);
            }}
            onClose=${() => setConfirm(null)}
          >
            <p><strong>1 record</strong> will be republished to <code>${ex.sourceTopic}</code>, unchanged, and run through the current mappings.</p>
          <//>`
        : null
    }
    ${
      confirm === 'dismiss'
        ? html`<${Confirm}
            title="Dismiss this exception"
            confirmLabel="Dismiss 1"
            needsComment=${true}
            onConfirm=${async (c) => {
              await post(`/ops/exceptions/${enc(ex.id)}/resolve`, { comment: c });
              reload();
            }}
            onClose=${() => setConfirm(null)}
          >
            <p><strong>1 record</strong> will be marked resolved without running again.</p>
          <//>`
        : null
    }
    ${confirm === 'correct' ? html`<${Correct} ex=${ex} onDone=${(msg) => (setNote(msg), reload())} onClose=${() => setConfirm(null)} />` : null}
  </section>`;
}

function Correct({ ex, onDone, onClose }) {
  const [changes, setChanges] = useState('{\n  \n}');
  return html`<${Confirm}
    title="Correct and retry"
    confirmLabel="Publish 1 corrected record"
    needsComment=${false}
    onConfirm=${async (c) => {
      let parsed;
      try {
        parsed = JSON.parse(changes);
      } catch (err) {
        throw new Error(`the changes are not JSON: ${err.message}`);
      }
      const r = await post(`/ops/exceptions/${enc(ex.id)}/correct`, { changes: parsed, comment: c || undefined });
      onDone(`Corrected record ${r.correctedEventId} published to ${r.topic}.`);
    }}
    onClose=${onClose}
  >
    <p><strong>1 new record</strong> (the original with these fields changed, caused by it) will be published to <code>${ex.sourceTopic}</code>.</p>
    <label
      >Fields to change (JSON, merged into the record)
      <textarea class="code" rows="8" value=${changes} onInput=${(e) => setChanges(e.target.value)}></textarea>
    </label>
  <//>`;
}
