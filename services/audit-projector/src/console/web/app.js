import { html, render, useEffect, useRef, useState } from './html.js';
import { api, get, post, setSession } from './api.js';
import { ErrorBox } from './ui.js';
import { Overview } from './views/overview.js';
import { Exceptions, ExceptionDetail } from './views/exceptions.js';
import { Mappings } from './views/mappings.js';
import { Audit } from './views/audit.js';
import { Flows } from './views/flows.js';
import { Reconciliation } from './views/reconciliation.js';

const VIEWS = [
  { path: 'overview', label: 'Overview', view: Overview },
  { path: 'exceptions', label: 'Exceptions', view: Exceptions },
  { path: 'mappings', label: 'Mappings & settings', view: Mappings },
  { path: 'flows', label: 'Flows', view: Flows },
  { path: 'audit', label: 'Audit', view: Audit },
  { path: 'reconciliation', label: 'Reconciliation', view: Reconciliation },
];

/** `#/exceptions/01J...?code=X` -> { view: 'exceptions', rest: ['01J...'], params }. */
function parseHash() {
  const [path, q] = location.hash.replace(/^#\/?/, '').split('?');
  const [view, ...rest] = (path || 'exceptions').split('/').map(decodeURIComponent);
  return { view, rest, params: Object.fromEntries(new URLSearchParams(q ?? '')) };
}

export function navigate(path) {
  location.hash = `#/${path}`;
}

function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const keyRef = useRef();
  useEffect(() => keyRef.current?.focus(), []);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api('POST', '/session', { key: form.get('key'), name: form.get('name') }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <h1>ml-connector console</h1>
    <form onSubmit=${submit} aria-describedby="signin-help">
      <p id="signin-help">Sign in with an operator API key (MLC_OPERATOR_API_KEYS). The key stays on the server; this browser keeps only a session cookie.</p>
      <label>Your name (recorded on every action)<input name="name" autocomplete="username" maxlength="100" placeholder="console" /></label>
      <label>Operator API key<input ref=${keyRef} name="key" type="password" autocomplete="current-password" required /></label>
      <${ErrorBox} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  </main>`;
}

function Shell({ session, onSignOut }) {
  const [route, setRoute] = useState(parseHash());
  const [tenants, setTenants] = useState(null);
  // A key scoped to one tenant shows that tenant's view at once, without waiting for the tenants list (one round trip less).
  const [tenant, setTenant] = useState(sessionStorage.getItem('mlc-tenant') || (session.tenant !== '*' ? session.tenant : ''));
  const [error, setError] = useState(null);
  const mainRef = useRef();
  useEffect(() => {
    const on = () => {
      setRoute(parseHash());
      mainRef.current?.focus();
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    get('/admin/tenants').then(
      (r) => {
        const list = r.tenants.map((t) => t.id);
        setTenants(list);
        if (!list.includes(tenant)) setTenant(list[0] ?? '');
      },
      (err) => setError(err),
    );
  }, []);
  useEffect(() => sessionStorage.setItem('mlc-tenant', tenant), [tenant]);
  const current = VIEWS.find((v) => v.path === route.view) ?? VIEWS[1];
  const View = current.path === 'exceptions' && route.rest[0] ? ExceptionDetail : current.view;
  return html`<div class="shell">
    <a class="skip" href="#main" onClick=${(e) => (e.preventDefault(), mainRef.current?.focus())}>Skip to content</a>
    <header>
      <span class="brand">ml-connector</span>
      <nav aria-label="Views">
        <ul>
          ${VIEWS.map((v) => html`<li><a href="#/${v.path}" aria-current=${v.path === current.path ? 'page' : undefined}>${v.label}</a></li>`)}
        </ul>
      </nav>
      <label class="tenant-pick"
        >Tenant
        <select value=${tenant} onChange=${(e) => setTenant(e.target.value)} disabled=${!tenants?.length}>
          ${(tenants ?? []).map((t) => html`<option value=${t}>${t}</option>`)}
        </select>
      </label>
      <span class="who" title=${`key scope: ${session.tenant}`}>${session.actor}${session.tenant === '*' ? '' : ` · ${session.tenant}`}</span>
      <button type="button" onClick=${onSignOut}>Sign out</button>
    </header>
    <main id="main" ref=${mainRef} tabindex="-1">
      <${ErrorBox} error=${error} />
      ${tenants && !tenants.length ? html`<p>This key sees no tenant.</p>` : null}
      ${tenant ? html`<${View} key=${`${current.path}|${tenant}|${route.rest.join('/')}`} tenant=${tenant} session=${session} route=${route} />` : null}
    </main>
  </div>`;
}

function App() {
  const [session, setS] = useState(undefined);
  const signedOut = () => {
    setSession(null);
    setS(null);
  };
  useEffect(() => {
    setSession(null, signedOut);
    get('/session').then(
      (s) => {
        setSession(s);
        setS(s);
      },
      () => setS(null),
    );
  }, []);
  if (session === undefined) return html`<p class="loading">Loading the console…</p>`;
  if (!session)
    return html`<${SignIn}
      onSignedIn=${(s) => {
        setSession(s);
        setS(s);
      }}
    />`;
  return html`<${Shell}
    session=${session}
    onSignOut=${async () => {
      await post('/session/sign-out').catch(() => undefined);
      signedOut();
    }}
  />`;
}

render(html`<${App} />`, document.getElementById('app'));
