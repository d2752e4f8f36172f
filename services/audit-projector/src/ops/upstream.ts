import { AppError } from '@mlc/platform-errors';

/** What a sibling service answered: its status and its body, parsed when it is JSON (else the text as it came). */
export interface UpstreamAnswer {
  status: number;
  ok: boolean;
  body: unknown;
  text: string;
}

/**
 * Calls a sibling service (fusion-writer, oracle-poller) for an operator, at most 30 s. One that cannot be reached
 * is OPS.UPSTREAM naming the service, its URL and the network error; any answer is returned, refusals included.
 */
export async function callUpstream(service: string, base: string, path: string, init: Omit<RequestInit, 'signal'> = {}): Promise<UpstreamAnswer> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new AppError(
      'OPS.UPSTREAM',
      `${service} is not reachable at ${base} (${((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message) || 'network error'})`,
    );
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, ok: res.ok, body, text };
}

/** OPS.UPSTREAM for a sibling's refusal: `<service> answered <status>: <its body, 300 characters at most>`. */
export function upstreamRefused(service: string, answer: UpstreamAnswer): AppError {
  const shown = typeof answer.body === 'string' ? answer.body.slice(0, 300) : JSON.stringify(answer.body).slice(0, 300);
  return new AppError('OPS.UPSTREAM', `${service} answered ${answer.status}: ${shown}`);
}
