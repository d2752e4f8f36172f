import { html, useEffect, useState } from '../html.js';
import { get, query } from '../api.js';
import { ErrorBox, TableHead, Timeline, fmtTime, useLoad } from '../ui.js';

const entriesCaption = (found) => {
  const n = found?.entries?.length ?? 0;
  return `${n} ${n === 1 ? 'entry' : 'entries'}${found?.nextCursor ? ' (newest first; narrow the search for older ones)' : ''}`;
};

/** Audit search, and one record's timeline across systems (PO line → ShipBob order → webhooks → ASN → close; Shopify order → invoice → credit memos). */
export function Audit({ tenant, session, route }) {
  const [filter, setFilter] = useState({ businessId: route.params.businessId ?? '', entityType: '', topic: '', result: '', from: '', to: '' });
  const [focus, setFocus] = useState(null);
  const [found, error] = useLoad(
    () =>
      get(
        `/ops/audit${query({ tenant, ...filter, from: filter.from && new Date(filter.from).toISOString(), to: filter.to && new Date(filter.to).toISOString(), limit: 200 })}`,
      ),
    [tenant, JSON.stringify(filter)],
  );
  // Opened with ?businessId=: show that record's timeline once the search says what kind of record it is.
  useEffect(() => {
    const id = route.params.businessId;
    const hit = found?.entries?.find((e) => e.businessId === id) ?? found?.entries?.[0];
    if (id && !focus && hit) setFocus({ entityType: hit.entityType, businessId: hit.businessId });
  }, [found]);
  const [timeline, tlError] = useLoad(
    () => (focus ? get(`/ops/timeline${query({ tenant, ...focus })}`) : Promise.resolve(null)),
    [tenant, JSON.stringify(focus)],
  );
  return html`<section aria-labelledby="audit-title">
    <h1 id="audit-title">Audit</h1>
    <form
      class="filters"
      role="search"
      aria-label="Search the audit trail"
      onSubmit=${(e) => (e.preventDefault(), setFilter(Object.fromEntries(new FormData(e.target))))}
    >
      <label>Business id<input name="businessId" defaultValue=${filter.businessId} /></label>
      <label>Entity<input name="entityType" defaultValue=${filter.entityType} /></label>
      <label>Topic<input name="topic" defaultValue=${filter.topic} /></label>
      <label
        >Result<select name="result">
          ${['', 'success', 'failure'].map((v) => html`<option value=${v} selected=${filter.result === v}>${v || 'any'}</option>`)}
        </select></label
      >
      <label>From<input name="from" type="datetime-local" defaultValue=${filter.from} /></label>
      <label>To<input name="to" type="datetime-local" defaultValue=${filter.to} /></label>
      <button type="submit">Search</button>
    </form>
    <${ErrorBox} error=${error} />
    ${
      focus
        ? html`<section class="card" aria-labelledby="tl-title">
            <h2 id="tl-title">Timeline of ${focus.businessId ?? focus.correlationId}</h2>
            <${ErrorBox} error=${tlError} />
            ${timeline?.records?.length ? html`<p class="muted">Linked records: ${timeline.records.join(', ')}</p>` : null}
            <${Timeline} entries=${timeline?.entries} traceViewerUrl=${session.traceViewerUrl} />
            <button type="button" onClick=${() => setFocus(null)}>Close the timeline</button>
          </section>`
        : null
    }
    <table class="grid">
      <caption>
        ${entriesCaption(found)}
      </caption>
      <${TableHead} cols=${['When', 'Record', 'Topic', 'From → to', 'Result']} />
      <tbody>
        ${(found?.entries ?? []).map(
          (e) =>
            html`<tr>
              <td>${fmtTime(e.occurredAt)}</td>
              <td>
                <button type="button" class="link" onClick=${() => setFocus({ entityType: e.entityType, businessId: e.businessId })}>${e.businessId}</button>
                <div class="muted">${e.entityType}</div>
              </td>
              <td><code>${e.topic}</code></td>
              <td>${e.sourceSystem ?? ''} → ${e.targetSystem ?? ''}</td>
              <td><span class="badge ${e.result}">${e.result}</span>${e.errorCode ? html` <code>${e.errorCode}</code>` : null}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
