import { html } from '../html.js';
import { enc, get, query } from '../api.js';
import { BarChart, ErrorBox, TableHead, ago, daysAgo, fmtTime, useLoad } from '../ui.js';

/** 95 s, 12 min, 3.1 h, 4 days: an age in milliseconds for a person. */
export function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${Math.round(s / 86400)} days`;
}

const PARTNERS = ['fusion', 'shipbob', 'shopify'];

/** A tenant at a glance: flows, oracle-poller's feed cursors, the newest webhook, consumer lag, open exceptions by code, records per day. */
export function Overview({ tenant }) {
  const [flows, flowsError] = useLoad(() => get(`/ops/flows${query({ tenant })}`), [tenant]);
  const [open, openError] = useLoad(() => get(`/ops/exceptions/summary${query({ tenant })}`), [tenant]);
  const [lag] = useLoad(() => get('/ops/lag').catch(() => null), []);
  const [report, reportError] = useLoad(() => get(`/ops/reports/reconciliation${query({ tenant, from: daysAgo(13) })}`), [tenant]);
  const [cursors, cursorsError] = useLoad(() => get(`/ops/tenants/${enc(tenant)}/feeds`), [tenant]);
  const [hooked] = useLoad(() => get(`/ops/audit${query({ tenant, topic: 'shipbob.webhook.received.v1', limit: 1 })}`).catch(() => null), [tenant]);
  const state = Object.fromEntries((flows?.flows ?? []).map((f) => [f.partner, f]));
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
      <div class="card wide">
        <h2>Fusion feeds (oracle-poller)</h2>
        ${
          cursorsError
            ? html`<p class="muted" role="status">oracle-poller did not answer: ${cursorsError.message}</p>`
            : html`<table aria-label="Fusion feed cursors">
                <${TableHead} cols=${['Feed', 'Last successful poll', 'Cursor (LastUpdateDate)', 'Cursor age', 'Last error']} />
                <tbody>
                  ${(cursors?.feeds ?? []).map(
                    (f) =>
                      html`<tr data-feed=${f.feed}>
                        <th scope="row">${f.feed}</th>
                        <td>
                          ${f.lastSuccessAt ? html`<time datetime=${f.lastSuccessAt} title=${fmtTime(f.lastSuccessAt)}>${duration(f.lastSuccessAgeMs)} ago</time>` : 'never'}
                        </td>
                        <td>${f.cursor ?? '—'}</td>
                        <td>${f.cursorAgeMs == null ? '—' : duration(f.cursorAgeMs)}</td>
                        <td>
                          ${
                            f.lastError
                              ? html`<span class="badge paused">${f.lastError.code}</span> ${f.consecutiveFailures} failure(s)<br /><span class="muted"
                                    >${f.lastError.message}</span
                                  >`
                              : 'none'
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
        <p>Newest ShipBob webhook: <strong>${ago(hooked?.entries?.[0]?.occurredAt)}</strong></p>
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
          open?.byCode?.length
            ? html`<ul class="plain">
                ${open.byCode.map(({ code, count }) => html`<li><a href="#/exceptions?code=${enc(code)}">${code}</a>: <strong>${count}</strong></li>`)}
              </ul>`
            : html`<p>None open.</p>`
        }
      </div>
    </div>
    <${BarChart}
      title="Records per day (last 14 days)"
      rows=${report?.fulfilment}
      series=${{ posSeen: 'POs seen', shipbobOrdersCreated: 'ShipBob orders created', writtenBack: 'written back to Fusion', exceptions: 'exceptions' }}
    />
  </section>`;
}
