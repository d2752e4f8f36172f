import { html, useState } from '../html.js';
import { get, query } from '../api.js';
import { BarChart, ErrorBox, Json, TableHead, daysAgo, useLoad } from '../ui.js';

/** The reports service's reconciliation (GET /ops/reports/reconciliation) as charts, with the differences to drill into. */
export function Reconciliation({ tenant }) {
  const [days, setDays] = useState(30);
  const [r, error] = useLoad(() => get(`/ops/reports/reconciliation${query({ tenant, from: daysAgo(days - 1) })}`), [tenant, days]);
  const diffs = r?.receivablesDifferences ?? [];
  return html`<section aria-labelledby="recon-title">
    <h1 id="recon-title">Reconciliation of ${tenant}</h1>
    <label
      >Range
      <select value=${days} onChange=${(e) => setDays(Number(e.target.value))}>
        <option value="7">last 7 days</option>
        <option value="30">last 30 days</option>
        <option value="90">last 90 days</option>
      </select>
    </label>
    <${ErrorBox} error=${error} />
    <${BarChart}
      title="Purchase orders vs ShipBob orders vs receipts"
      rows=${r?.fulfilment}
      series=${{ posSeen: 'POs seen', shipbobOrdersCreated: 'ShipBob orders', shipped: 'shipments (ASN)', writtenBack: 'receipts written to Fusion' }}
    />
    <${BarChart}
      title="Shopify orders vs Fusion invoices (count)"
      rows=${r?.receivables}
      series=${{ shopifyOrders: 'Shopify orders', fusionInvoices: 'Fusion invoices' }}
    />
    <${BarChart}
      title="Shopify totals vs Fusion documents (amount)"
      rows=${r?.receivables}
      series=${{ shopifyAmount: 'Shopify total', fusionAmount: 'Fusion invoiced' }}
    />
    <h2>Differences (${diffs.length})</h2>
    ${
      diffs.length
        ? html`<table class="grid">
            <${TableHead} cols=${['Order', 'What differs', 'Detail']} />
            <tbody>
              ${diffs.map(
                (d) =>
                  html`<tr>
                    <td>
                      <a href="#/audit?businessId=${encodeURIComponent(d.shopifyOrderId ?? d.orderId ?? '')}"
                        >${d.shopifyOrderName ?? d.shopifyOrderId ?? d.orderId ?? '—'}</a
                      >
                    </td>
                    <td>${d.kind ?? d.reason ?? ''}</td>
                    <td>
                      <details>
                        <summary>Drill down</summary>
                        <${Json} value=${d} label="The difference" />
                      </details>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p>No differences between Shopify and Fusion in this range.</p>`
    }
    ${(r?.receivablesChecks ?? []).map((c) => html`<p class="muted">${c.tenantId}: ${c.ordersChecked} order(s) checked against ${c.source ?? '—'}${c.error ? ` — ${c.error}` : ''}</p>`)}
  </section>`;
}
