import { html } from '../html.js';
import { enc, get, query } from '../api.js';
import { BarChart, ErrorBox, ago, byDay, daysAgo, useLoad } from '../ui.js';

const PARTNERS = ['fusion', 'shipbob', 'shopify'];

/** A tenant at a glance: flows, the newest record from each source, consumer lag, open exceptions by code, records per day. */
export function Overview({ tenant }) {
  const [flows, flowsError] = useLoad(() => get(`/ops/flows${query({ tenant })}`), [tenant]);
  const [open, openError] = useLoad(() => get(`/ops/exceptions${query({ tenant, status: 'open', limit: 5000 })}`), [tenant]);
  const [lag] = useLoad(() => get('/ops/lag').catch(() => null), []);
  const [report, reportError] = useLoad(() => get(`/ops/reports/reconciliation${query({ tenant, from: daysAgo(13) })}`), [tenant]);
  const [polled] = useLoad(() => get(`/ops/audit${query({ tenant, topic: 'erp.purchase-order.changed.v1', limit: 1 })}`).catch(() => null), [tenant]);
  const [hooked] = useLoad(() => get(`/ops/audit${query({ tenant, topic: 'shipbob.webhook.received.v1', limit: 1 })}`).catch(() => null), [tenant]);
  const state = Object.fromEntries((flows?.flows ?? []).map((f) => [f.partner, f]));
  const byCode = new Map();
  for (const e of open?.exceptions ?? []) byCode.set(e.code, (byCode.get(e.code) ?? 0) + 1);
  const perDay = byDay(report?.fulfilment, ['posSeen', 'shipbobOrdersCreated', 'writtenBack', 'exceptions']);
  return html`<section aria-labelledby="overview-title">
    <h1 id="overview-title">Overview of ${tenant}</h1>
    <${ErrorBox} error=${flowsError || openError || reportError} />
    <div class="cards">
      <div class="card">
        <h2>Flows</h2>
        <ul class="plain">
          ${PARTNERS.map(
            (p) =>
              html`<li>
                <strong>${p}</strong>:
                <span class="badge ${state[p]?.state === 'paused' ? 'paused' : 'running'}">${state[p]?.state === 'paused' ? 'paused' : 'running'}</span>
                ${state[p]?.state === 'paused' ? html` <span class="muted">${state[p].reason} (${ago(state[p].changedAt)})</span>` : null}
              </li>`,
          )}
        </ul>
        <p><a href="#/flows">Pause, resume, replay…</a></p>
      </div>
      <div class="card">
        <h2>Last poll and webhook</h2>
        <p>Newest purchase order polled from Fusion: <strong>${ago(polled?.entries?.[0]?.occurredAt)}</strong></p>
        <p>Newest ShipBob webhook: <strong>${ago(hooked?.entries?.[0]?.occurredAt)}</strong></p>
        <p class="muted">The poll cursor's own age is oracle-poller's metric mlc_poll_cursor_age_seconds.</p>
      </div>
      <div class="card">
        <h2>Consumer lag</h2>
        ${
          lag?.groups?.length
            ? html`<ul class="plain">
                ${lag.groups.map((g) => html`<li><code>${g.groupId}</code>: ${g.records} behind</li>`)}
              </ul>`
            : html`<p class="muted">No measured groups.</p>`
        }
        ${lag?.newestProjectedAt ? html`<p class="muted">Audit projection: newest event ${ago(lag.newestProjectedAt)}</p>` : null}
      </div>
      <div class="card">
        <h2>Open exceptions</h2>
        ${
          byCode.size
            ? html`<ul class="plain">
                ${[...byCode]
                  .sort((a, b) => b[1] - a[1])
                  .map(([code, n]) => html`<li><a href="#/exceptions?code=${enc(code)}">${code}</a>: <strong>${n}</strong></li>`)}
              </ul>`
            : html`<p>None open.</p>`
        }
      </div>
    </div>
    <${BarChart}
      title="Records per day (last 14 days)"
      rows=${perDay}
      series=${[
        { key: 'posSeen', label: 'POs seen' },
        { key: 'shipbobOrdersCreated', label: 'ShipBob orders created' },
        { key: 'writtenBack', label: 'written back to Fusion' },
        { key: 'exceptions', label: 'exceptions' },
      ]}
    />
  </section>`;
}
