import { html, useState } from '../html.js';
import { api, enc, get, post, query } from '../api.js';
import { Confirm, ErrorBox, Json, TableHead, srOnly, useLoad } from '../ui.js';

/** The value fields of a kind (every CSV column but the key). */
const fieldsOf = (session, kind) => (session.mappingKinds?.[kind] ?? []).filter((c) => c.field);
const keyName = (session, kind) => session.mappingKinds?.[kind]?.[0]?.name ?? 'key';

function valueFrom(form, fields) {
  const value = {};
  for (const f of fields) {
    const raw = String(form.get(f.field) ?? '').trim();
    if (raw !== '') value[f.field] = f.numeric ? Number(raw) : raw;
  }
  return value;
}

function FieldInputs({ fields, value, idPrefix }) {
  return fields.map(
    (f) =>
      html`<label
        >${f.name}
        <input name=${f.field} id=${`${idPrefix}-${f.field}`} type=${f.numeric ? 'number' : 'text'} defaultValue=${value?.[f.field] ?? ''} />
      </label>`,
  );
}

function MappingTable({ tenant, kind, session, initialKey }) {
  const [data, error, reload] = useLoad(() => get(`/admin/tenants/${enc(tenant)}/mappings/${enc(kind)}`), [tenant, kind]);
  const [editing, setEditing] = useState(null);
  const [saveError, setSaveError] = useState(null);
  const [status, setStatus] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const fields = fieldsOf(session, kind);
  const save = async (key, value) => {
    setSaveError(null);
    try {
      await api('PUT', `/admin/tenants/${enc(tenant)}/mappings/${enc(kind)}/${enc(key)}`, { value });
      setStatus(`Saved ${kind} ${key}: used by the mapper within seconds.`);
      setEditing(null);
      reload();
      return true;
    } catch (err) {
      setSaveError(err);
      return false;
    }
  };
  const onAdd = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const key = String(form.get('key') ?? '').trim();
    if (key && (await save(key, valueFrom(form, fields)))) e.target.reset();
  };
  const entries = data?.entries ?? [];
  return html`<div>
    <form class="add-mapping" onSubmit=${onAdd} aria-label="Add or change a mapping">
      <label>${keyName(session, kind)}<input name="key" required defaultValue=${initialKey ?? ''} /></label>
      <${FieldInputs} fields=${fields} idPrefix="new" />
      <button type="submit" class="primary">Save mapping</button>
    </form>
    <${ErrorBox} error=${saveError || error} />
    ${status ? html`<p role="status" class="status">${status}</p>` : null}
    <table class="grid">
      <caption>
        ${entries.length} ${kind} mapping${entries.length === 1 ? '' : 's'} of ${tenant}
      </caption>
      <${TableHead} cols=${[keyName(session, kind), ...fields.map((f) => f.name), srOnly('Actions')]} />
      <tbody>
        ${entries.map((e) =>
          editing === e.key
            ? html`<tr>
                <th scope="row">${e.key}</th>
                <td colspan=${fields.length + 1}>
                  <form class="inline-edit" onSubmit=${(ev) => (ev.preventDefault(), save(e.key, valueFrom(new FormData(ev.target), fields)))}>
                    <${FieldInputs} fields=${fields} value=${e.value} idPrefix=${`edit-${e.key}`} />
                    <button type="submit" class="primary">Save</button>
                    <button type="button" onClick=${() => setEditing(null)}>Cancel</button>
                  </form>
                </td>
              </tr>`
            : html`<tr>
                <th scope="row">${e.key}</th>
                ${fields.map((f) => html`<td>${e.value?.[f.field] ?? ''}</td>`)}
                <td class="actions">
                  <button type="button" onClick=${() => setEditing(e.key)} aria-label=${`Edit ${e.key}`}>Edit</button>
                  <button type="button" onClick=${() => setDeleting(e.key)} aria-label=${`Delete ${e.key}`}>Delete</button>
                </td>
              </tr>`,
        )}
      </tbody>
    </table>
    ${
      deleting
        ? html`<${Confirm}
            title="Delete a mapping"
            confirmLabel="Delete"
            onConfirm=${async () => {
              await api('DELETE', `/admin/tenants/${enc(tenant)}/mappings/${enc(kind)}/${enc(deleting)}`);
              reload();
            }}
            onClose=${() => setDeleting(null)}
          >
            <p>The ${kind} mapping <strong>${deleting}</strong> will be removed; records needing it are parked as exceptions until it is back.</p>
          <//>`
        : null
    }
    <${CsvImport} tenant=${tenant} kind=${kind} onApplied=${reload} />
  </div>`;
}

function CsvImport({ tenant, kind, onApplied }) {
  const [csv, setCsv] = useState('');
  const [replace, setReplace] = useState(false);
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const doPreview = async (e) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      setPreview(await post('/mappings-import-preview', { tenantId: tenant, kind, csv, replace }));
    } catch (err) {
      setPreview(null);
      setError(err);
    }
  };
  const apply = async () => {
    setError(null);
    try {
      const r = await post(`/admin/tenants/${enc(tenant)}/mappings/${enc(kind)}/import${query({ replace: replace ? 'true' : '' })}`, { csv });
      setDone(`Imported: ${JSON.stringify(r)}`);
      setPreview(null);
      onApplied();
    } catch (err) {
      setError(err);
    }
  };
  const moves = preview ? preview.added.length + preview.changed.length + preview.removed.length : 0;
  return html`<section class="csv" aria-labelledby="csv-title">
    <h3 id="csv-title">CSV</h3>
    <p><a href="/console/api/admin/tenants/${enc(tenant)}/mappings/${enc(kind)}/export" download=${`${tenant}-${kind}.csv`}>Export ${kind} as CSV</a></p>
    <form onSubmit=${doPreview}>
      <label
        >CSV file to import
        <input type="file" accept=".csv,text/csv" onChange=${async (e) => setCsv(await e.target.files[0]?.text())} />
      </label>
      <label>…or paste it<textarea class="code" rows="5" value=${csv} onInput=${(e) => setCsv(e.target.value)}></textarea></label>
      <label class="check"
        ><input type="checkbox" checked=${replace} onChange=${(e) => setReplace(e.target.checked)} /> Replace: remove mappings not in the file</label
      >
      <button type="submit" disabled=${!csv}>Preview the changes</button>
    </form>
    <${ErrorBox} error=${error} />
    ${done ? html`<p role="status" class="status">${done}</p>` : null}
    ${
      preview
        ? html`<div class="diff" role="region" aria-label="Import preview">
            <p>
              <strong
                >${`${preview.added.length} added, ${preview.changed.length} changed, ${preview.removed.length} removed, ${preview.unchanged} unchanged.`}</strong
              >
            </p>
            <ul>
              ${preview.added.map((a) => html`<li class="add">+ ${a.key} ${JSON.stringify(a.value)}</li>`)}
              ${preview.changed.map((c) => html`<li class="change">~ ${c.key} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}</li>`)}
              ${preview.removed.map((r) => html`<li class="remove">− ${r.key} ${JSON.stringify(r.value)}</li>`)}
            </ul>
            <button type="button" class="primary" disabled=${!moves} onClick=${apply}>Apply ${moves} change${moves === 1 ? '' : 's'}</button>
          </div>`
        : null
    }
  </section>`;
}

function Connections({ tenant }) {
  const [data, error, reload] = useLoad(() => get(`/admin/tenants/${enc(tenant)}/connections`), [tenant]);
  const [ping, setPing] = useState({});
  const [secretError, setSecretError] = useState(null);
  const [status, setStatus] = useState(null);
  const setSecret = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const path = String(form.get('field')).split('.');
    const patch = {};
    let at = patch;
    path.forEach((p, i) => (at = at[p] = i === path.length - 1 ? String(form.get('secret')) : {}));
    setSecretError(null);
    try {
      await api('PATCH', `/admin/tenants/${enc(tenant)}/connections/${enc(form.get('partner'))}`, patch);
      setStatus(`The new ${form.get('field')} of ${form.get('partner')} is stored (sealed; it is never shown again).`);
      e.target.reset();
      reload();
    } catch (err) {
      setSecretError(err);
    }
  };
  const list = data?.connections ?? [];
  return html`<section aria-labelledby="conn-title">
    <h2 id="conn-title">Connections</h2>
    <${ErrorBox} error=${error} />
    ${list.map(
      (c) =>
        html`<div class="card">
          <h3>${c.partner}</h3>
          <${Json} value=${c} label=${`Connection ${c.partner} (secrets are never shown)`} />
          <button
            type="button"
            onClick=${async () => setPing({ ...ping, [c.partner]: await post(`/admin/tenants/${enc(tenant)}/connections/${enc(c.partner)}/ping`).catch((err) => ({ error: err.message })) })}
          >
            Ping ${c.partner}
          </button>
          ${ping[c.partner] ? html`<${Json} value=${ping[c.partner]} label=${`Ping result of ${c.partner}`} />` : null}
        </div>`,
    )}
    <form class="secret" onSubmit=${setSecret} autocomplete="off" aria-label="Replace a secret">
      <h3>Replace a secret (write-only)</h3>
      <label
        >Partner<select name="partner">
          ${list.map((c) => html`<option value=${c.partner}>${c.partner}</option>`)}
        </select></label
      >
      <label>Field<input name="field" required placeholder="auth.token or auth.clientSecret" /></label>
      <label>New value<input name="secret" type="password" required autocomplete="new-password" /></label>
      <button type="submit">Store</button>
    </form>
    <${ErrorBox} error=${secretError} />
    ${status ? html`<p role="status" class="status">${status}</p>` : null}
  </section>`;
}

function Settings({ tenant }) {
  const [t, error, reload] = useLoad(() => get(`/admin/tenants/${enc(tenant)}`), [tenant]);
  const [text, setText] = useState(null);
  const [saveError, setSaveError] = useState(null);
  const [doctor, setDoctor] = useState(null);
  const [doctorBusy, setDoctorBusy] = useState(false);
  const settings = t?.settings ?? t?.tenant?.settings ?? {};
  return html`<section aria-labelledby="settings-title">
    <h2 id="settings-title">Settings</h2>
    <${ErrorBox} error=${error || saveError} />
    <form
      onSubmit=${async (e) => {
        e.preventDefault();
        setSaveError(null);
        try {
          await api('PATCH', `/admin/tenants/${enc(tenant)}`, { settings: JSON.parse(text ?? JSON.stringify(settings)) });
          setText(null);
          reload();
        } catch (err) {
          setSaveError(err);
        }
      }}
    >
      <label
        >Settings of ${tenant} (JSON)
        <textarea class="code" rows="8" value=${text ?? JSON.stringify(settings, null, 2)} onInput=${(e) => setText(e.target.value)}></textarea>
      </label>
      <button type="submit" disabled=${text === null}>Save settings</button>
    </form>
    <h2>Doctor</h2>
    <button
      type="button"
      disabled=${doctorBusy}
      onClick=${async () => {
        setDoctorBusy(true);
        setDoctor(await get(`/admin/tenants/${enc(tenant)}/doctor`).catch((err) => ({ error: err.message })));
        setDoctorBusy(false);
      }}
    >
      ${doctorBusy ? 'Checking…' : 'Run the doctor'}
    </button>
    ${doctor?.error ? html`<p class="error" role="alert">${doctor.error}</p>` : null}
    ${
      doctor?.findings
        ? html`<table class="grid">
            <caption>
              ${doctor.ok ? 'Every prerequisite holds' : 'Some prerequisites fail'} (checked ${doctor.checkedAt})
            </caption>
            <${TableHead} cols=${['Status', 'Partner', 'Check', 'Result', 'Fix']} />
            <tbody>
              ${doctor.findings.map(
                (f) =>
                  html`<tr>
                    <td><span class="badge ${f.status}">${f.status}</span></td>
                    <td>${f.partner}</td>
                    <td>${f.check}</td>
                    <td>${f.message}</td>
                    <td>${f.fix ? html`<code>${f.fix}</code>` : ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : null
    }
  </section>`;
}

export function Mappings({ tenant, session, route }) {
  const kinds = Object.keys(session.mappingKinds ?? {});
  const [kind, setKind] = useState(route.params.kind && kinds.includes(route.params.kind) ? route.params.kind : (kinds[0] ?? 'item-product'));
  return html`<section aria-labelledby="mappings-title">
    <h1 id="mappings-title">Mappings & settings</h1>
    <label
      >Mapping table
      <select value=${kind} onChange=${(e) => setKind(e.target.value)}>
        ${kinds.map((k) => html`<option value=${k}>${k}</option>`)}
      </select>
    </label>
    <${MappingTable} key=${kind} tenant=${tenant} kind=${kind} session=${session} initialKey=${kind === route.params.kind ? route.params.key : undefined} />
    <${Connections} tenant=${tenant} />
    <${Settings} tenant=${tenant} />
  </section>`;
}
