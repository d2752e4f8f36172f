import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventMeta, TopicRecords } from '@mlc/contracts';
import { newMeta, type OutgoingRecord } from '@mlc/platform-kafka';

/**
 * Dry run (tenant setting `settings.dryRun.<flow>`): the partner clients run exactly as live, but inside
 * {@link recordWrites} every request to the partner's base URL that is not a read (GET/HEAD; token requests pass) is
 * captured at the HTTP boundary instead of being sent: method, path and body as the client built them, never headers
 * (credentials). The responder may answer a captured write with a stand-in so that the use case goes on to its next
 * write (e.g. the invoice after a new customer); without a stand-in the call fails and the use case stops there.
 * Requests outside a recordWrites scope (other tenants, live flows) are untouched.
 *
 * Used by both writers (shipbob-writer, fusion-writer).
 */
export interface WouldBeWrite {
  method: string;
  /** Path and query, from the partner's host on. */
  path: string;
  body: string | null;
}

/** A stand-in answer for a captured write, or undefined to stop the use case at this write. */
export type DryRunResponder = (write: WouldBeWrite, seq: number) => Response | undefined;

interface Scope {
  origin: string;
  writes: WouldBeWrite[];
  halted: boolean;
  respond: DryRunResponder;
}

const scopes = new AsyncLocalStorage<Scope>();
let installed = false;

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Patches globalThis.fetch once (a no-op outside a recordWrites scope). */
function install(): void {
  if (installed) return;
  installed = true;
  const real = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const scope = scopes.getStore();
    if (!scope) return real(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (url.origin !== scope.origin || READS.has(method) || /\/(connect\/)?token$|\/oauth2?\/.*token/i.test(url.pathname)) return real(input, init);
    if (scope.halted) throw new Error('dry run: stopped at an earlier would-be write');
    const write: WouldBeWrite = { method, path: `${url.pathname}${url.search}`, body: typeof init?.body === 'string' ? init.body : null };
    scope.writes.push(write);
    const answer = scope.respond(write, scope.writes.length);
    if (answer) return answer;
    scope.halted = true;
    throw new Error(`dry run: ${method} ${write.path} not sent`);
  };
}

export interface DryRunOutcome<T> {
  /** The use case's own result when it ran to its end (every write answered by a stand-in, or no write at all). */
  result?: T;
  /** What it threw, unless that was the stop at a would-be write. */
  error?: Error;
  writes: WouldBeWrite[];
  /** True when it stopped at a would-be write that had no stand-in. */
  halted: boolean;
}

/** Runs `fn` with the writes to `baseUrl`'s origin captured (see the file comment). */
export async function recordWrites<T>(baseUrl: string, respond: DryRunResponder, fn: () => Promise<T>): Promise<DryRunOutcome<T>> {
  install();
  const scope: Scope = { origin: new URL(baseUrl).origin, writes: [], halted: false, respond };
  try {
    const result = await scopes.run(scope, fn);
    return { result, writes: scope.writes, halted: false };
  } catch (error) {
    if (scope.halted) return { writes: scope.writes, halted: true };
    return { error: error instanceof Error ? error : new Error(String(error)), writes: scope.writes, halted: false };
  }
}

/** JSON answer helper for stand-ins. */
export function jsonAnswer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export type DryRunFlow = 'purchase-orders' | 'receivables';

/** The audit record of one would-be write (ops.dry-run-write.recorded.v1), caused by the command it came from. */
export function dryRunRecord(
  causedBy: EventMeta,
  source: string,
  w: WouldBeWrite & {
    flow: DryRunFlow;
    partner: string;
    operation: string;
    entityType: string;
    businessId: string;
    poHeaderId?: string | null;
    shopifyOrderId?: string | null;
    note?: string | null;
  },
): OutgoingRecord<'ops.dry-run-write.recorded.v1'> {
  const value: TopicRecords['ops.dry-run-write.recorded.v1'] = {
    meta: newMeta({ tenantId: causedBy.tenantId, source, causedBy }),
    flow: w.flow,
    partner: w.partner,
    operation: w.operation,
    entityType: w.entityType,
    businessId: w.businessId,
    method: w.method,
    path: w.path,
    body: w.body,
    poHeaderId: w.poHeaderId ?? null,
    shopifyOrderId: w.shopifyOrderId ?? null,
    note: w.note ?? null,
  };
  return { topic: 'ops.dry-run-write.recorded.v1', key: `${causedBy.tenantId}:${w.businessId}`, value };
}

/**
 * Event ids handled in dry run: the consumer must not mark them processed, so that once the flow is live a replay of
 * the same records (same event ids) runs them for real. Wraps the consumer's processed-events store.
 */
export class DryRunHandledEvents {
  private readonly ids = new Set<string>();

  add(eventId: string): void {
    this.ids.add(eventId);
  }

  wrap<S extends { seen(group: string, eventId: string): Promise<boolean>; mark(group: string, eventId: string): Promise<void> }>(store: S): S {
    const ids = this.ids;
    return Object.assign(Object.create(store) as S, {
      seen: (group: string, eventId: string) => store.seen(group, eventId),
      mark: async (group: string, eventId: string) => (ids.delete(eventId) ? undefined : store.mark(group, eventId)),
    });
  }
}
