/** Error carrying the API's `{ error: { code, message, problems } }` body. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Array<{ field: string; reason: string; line?: number }> = [],
  ) {
    super(message);
  }
}

export interface AdminApiOptions {
  baseUrl: string;
  apiKey: string;
  actor?: string;
  fetchImpl?: typeof fetch;
}

/** Thin client over /admin/tenants (the CLI's only way in; it never touches the database). */
export class AdminApiClient {
  private readonly base: string;
  constructor(private readonly opts: AdminApiOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const headers: Record<string, string> = { 'x-api-key': this.opts.apiKey, accept: 'application/json, text/csv' };
    if (this.opts.actor) headers['x-mlc-actor'] = this.opts.actor;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = contentType;
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await (this.opts.fetchImpl ?? fetch)(`${this.base}${path}`, { method, headers, body: payload });
    } catch (err) {
      const code = ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message) || 'network error';
      throw new Error(`cannot reach the admin API at ${this.base} (${code})`);
    }
    const text = await res.text();
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    if (!res.ok) {
      const err =
        isJson && text ? ((JSON.parse(text) as { error?: { code?: string; message?: string; problems?: AdminApiError['problems'] } }).error ?? {}) : {};
      throw new AdminApiError(res.status, err.code ?? `HTTP.${res.status}`, err.message ?? `HTTP ${res.status}`, err.problems ?? []);
    }
    if (res.status === 204 || !text) return undefined as T;
    return (isJson ? JSON.parse(text) : text) as T;
  }
}

export function seg(s: string): string {
  return encodeURIComponent(s);
}
