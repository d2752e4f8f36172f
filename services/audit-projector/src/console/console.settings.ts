import { as, type Setting } from '@mlc/platform-config';

/** Settings of the ops console (/console) of audit-projector (merged into the service's settings). */
export const consoleSettings = {
  consoleSessionTtlMs: {
    env: 'CONSOLE_SESSION_TTL_MS',
    doc: 'longest life of a console session from sign-in (then sign in again)',
    parse: as.int(60_000),
    default: 8 * 3_600_000,
  } as Setting<number>,
  consoleSessionIdleMs: {
    env: 'CONSOLE_SESSION_IDLE_MS',
    doc: 'a console session unused for this long ends',
    parse: as.int(10_000),
    default: 30 * 60_000,
  } as Setting<number>,
  consoleTraceViewerUrl: {
    env: 'CONSOLE_TRACE_VIEWER_URL',
    doc: 'trace viewer the console links a record to (`?q=<business id>` is appended); empty: no trace links',
    parse: as.string,
    default: 'http://127.0.0.1:4318',
  } as Setting<string>,
} satisfies Record<string, Setting<unknown>>;
