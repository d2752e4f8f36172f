import { trace } from '@opentelemetry/api';

export type Level = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const SECRET_KEYS = /secret|password|token|authorization|apikey|api_key|private|credential/i;

export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1)]));
}

/** Structured JSON logs, one line each, with the active trace id and secrets redacted by key name. */
export function logger(service: string, level: Level = (process.env['LOG_LEVEL'] as Level) ?? 'info', base: Record<string, unknown> = {}): Logger {
  const write = (l: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] > ORDER[level]) return;
    const span = trace.getActiveSpan()?.spanContext();
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level: l,
      service,
      msg,
      ...(span ? { traceId: span.traceId, spanId: span.spanId } : {}),
      ...(redact({ ...base, ...fields }) as Record<string, unknown>),
    });
    (l === 'error' || l === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    error: (m, f) => write('error', m, f),
    warn: (m, f) => write('warn', m, f),
    info: (m, f) => write('info', m, f),
    debug: (m, f) => write('debug', m, f),
    child: (f) => logger(service, level, { ...base, ...f }),
  };
}
