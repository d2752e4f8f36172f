import { html, useState } from '../html.js';
import { enc, followJob, get, post, query } from '../api.js';
import { Confirm, ErrorBox, TableHead, ago, srOnly, useLoad } from '../ui.js';

const PARTNERS = ['fusion', 'shipbob', 'shopify'];
/** The flows the ops API's time-range replay knows (FLOW_TOPICS in kafka-ops.service.ts). */
const REPLAY_FLOWS = ['purchase-orders', 'shipbob-orders', 'shipments', 'po-updates', 'shopify', 'receivables'];

const localInput = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function Flows({ tenant }) {
  const [flows, error, reload] = useLoad(() => get(`/ops/flows${query({ tenant })}`), [tenant]);
  const [change, setChange] = useState(null);
  const state = Object.fromEntries((flows?.flows ?? []).map((f) => [f.partner, f]));
  return html`<section aria-labelledby="flows-title">
    <h1 id="flows-title">Flows of ${tenant}</h1>
    <${ErrorBox} error=${error} />
    <table class="grid">
      <caption class="sr-only">
        Flows per partner
      </caption>
      <${TableHead} cols=${['Partner', 'State', 'Why, who, when', srOnly('Action')]} />
      <tbody>
        ${PARTNERS.map((p) => {
          const paused = state[p]?.state === 'paused';
          return html`<tr>
            <th scope="row">${p}</th>
            <td><span class="badge ${paused ? 'paused' : 'running'}">${paused ? 'paused' : 'running'}</span></td>
            <td>${state[p] ? `${state[p].reason ?? ''} — ${state[p].actor ?? ''}, ${ago(state[p].changedAt)}` : '—'}</td>
            <td>
              <button type="button" onClick=${() => setChange({ partner: p, to: paused ? 'resume' : 'pause' })}>${paused ? 'Resume' : 'Pause'} ${p}</button>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
    ${
      change
        ? html`<${Confirm}
            title=${`${change.to === 'pause' ? 'Pause' : 'Resume'} the ${change.partner} flow of ${tenant}`}
            confirmLabel=${change.to === 'pause' ? 'Pause' : 'Resume'}
            needsComment=${false}
            onConfirm=${async (reason) => {
              await post(`/ops/tenants/${enc(tenant)}/flows/${enc(change.partner)}/${change.to}`, { reason: reason || undefined });
              reload();
            }}
            onClose=${() => setChange(null)}
          >
            <p>
              ${
                change.to === 'pause'
                  ? `Records for ${change.partner} wait in Kafka (nothing is lost) until the flow is resumed.`
                  : `The records held for ${change.partner} are written, oldest first.`
              }
            </p>
          <//>`
        : null
    }
    <${ReplayRange} tenant=${tenant} />
  </section>`;
}

/**
 * Replay by time range: a dry run counts the records first (POST /ops/replay-range with dryRun), then the replay.
 * HOOK (part P1, issue 19): P1 extends the ops API's time-range replay per tenant/topic; this form only uses
 * `{ tenantId, flow, from, to, dryRun }` and the job's `result.republished`, so it keeps working when that lands.
 */
function ReplayRange({ tenant }) {
  const now = new Date();
  const [form, setForm] = useState({ flow: 'purchase-orders', from: localInput(new Date(now.getTime() - 3_600_000)), to: localInput(now) });
  const [preview, setPreview] = useState(null);
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  const [confirm, setConfirm] = useState(false);
  const body = (dryRun) => ({ tenantId: tenant, flow: form.flow, from: new Date(form.from).toISOString(), to: new Date(form.to).toISOString(), dryRun });
  const run = async (dryRun) => {
    setError(null);
    const started = await post('/ops/replay-range', body(dryRun));
    return followJob(started.id, dryRun ? undefined : setJob);
  };
  const set = (k) => (e) => {
    setPreview(null);
    setForm({ ...form, [k]: e.target.value });
  };
  return html`<section aria-labelledby="range-title">
    <h2 id="range-title">Replay by time range</h2>
    <form
      class="filters"
      onSubmit=${async (e) => {
        e.preventDefault();
        try {
          setPreview(await run(true));
        } catch (err) {
          setError(err);
        }
      }}
    >
      <label
        >Flow<select value=${form.flow} onChange=${set('flow')}>
          ${REPLAY_FLOWS.map((f) => html`<option value=${f}>${f}</option>`)}
        </select></label
      >
      <label>From<input type="datetime-local" value=${form.from} onInput=${set('from')} required /></label>
      <label>To<input type="datetime-local" value=${form.to} onInput=${set('to')} required /></label>
      <button type="submit">Count the records</button>
    </form>
    <${ErrorBox} error=${error} />
    ${
      preview
        ? html`<p role="status" class="status">
            ${preview.status === 'done' ? html`<strong>${preview.result?.republished ?? 0}</strong> record(s) of ${tenant} in that range.` : `The count failed: ${preview.error ?? preview.status}`}
            <button type="button" class="primary" disabled=${!preview.result?.republished} onClick=${() => setConfirm(true)}>Replay them…</button>
          </p>`
        : null
    }
    ${job ? html`<p role="status" class="status">Replay ${job.status}${job.result ? `: ${job.result.republished} republished` : ''}.</p>` : null}
    ${
      confirm
        ? html`<${Confirm}
            title="Replay a time range"
            confirmLabel=${`Replay ${preview.result.republished}`}
            onConfirm=${async () => void (await run(false))}
            onClose=${() => setConfirm(false)}
          >
            <p>
              <strong>${preview.result.republished} record(s)</strong> of the ${form.flow} flow will be republished; idempotency keys make partners ignore what
              they already hold.
            </p>
          <//>`
        : null
    }
  </section>`;
}
