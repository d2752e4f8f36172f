// The console's only way out: /console/api/..., with the session cookie (httpOnly, sent by the browser) and the
// per-session CSRF token on every mutating request.
let csrfToken = null;
let onSignedOut = () => {};

export function setSession(session, signedOut) {
  csrfToken = session?.csrfToken ?? null;
  if (signedOut) onSignedOut = signedOut;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `the server answered ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/console/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/session') onSignedOut();
    throw new ApiError(res.status, data);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});

/** `?a=1&b=2` from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;

/** Follows a background job (replays) until it is no longer running. */
export async function followJob(id, onProgress) {
  for (;;) {
    const job = await get(`/ops/jobs/${enc(id)}`);
    onProgress?.(job);
    if (job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 500));
  }
}
