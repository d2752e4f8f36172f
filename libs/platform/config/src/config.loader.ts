/**
 * One typed schema over process.env, checked at start: every missing or bad key is reported in one message, then
 * the service exits non-zero. Secrets are marked and never printed. Nothing else reads process.env.
 */
export interface Setting<T> {
  env: string;
  doc: string;
  secret?: boolean;
  default?: T;
  /** Missing is fine and gives undefined. */
  optional?: boolean;
  /** Required unless a default exists. Return an error string to reject a value. */
  parse: (raw: string) => T | { error: string };
}

export type Schema = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Schema> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const isError = (v: unknown): v is { error: string } => typeof v === 'object' && v !== null && 'error' in v && Object.keys(v).length === 1;

export function loadConfig<S extends Schema>(schema: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(schema)) {
    const raw = env[setting.env];
    if (raw === undefined || raw === '') {
      if (setting.default !== undefined || setting.optional) out[key] = setting.default;
      else problems.push(`${setting.env} is required: ${setting.doc}`);
      continue;
    }
    const parsed = setting.parse(raw);
    if (isError(parsed)) {
      problems.push(`${setting.env}${setting.secret ? '' : `='${raw}'`} is invalid: ${parsed.error}`);
    } else out[key] = parsed;
  }
  if (problems.length) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** Parsers for the common shapes. */
export const as = {
  string: (raw: string) => raw,
  int:
    (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
    (raw: string) => {
      const n = Number(raw);
      if (!Number.isInteger(n)) return { error: 'expected a whole number' };
      if (n < min || n > max) return { error: `expected a number from ${min} to ${max}` };
      return n;
    },
  bool: (raw: string) => (/^(1|true|yes|on)$/i.test(raw) ? true : /^(0|false|no|off)$/i.test(raw) ? false : { error: 'expected true or false' }),
  list: (raw: string) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  url: (raw: string) => {
    try {
      return new URL(raw).toString().replace(/\/$/, '');
    } catch {
      return { error: 'expected an absolute URL' };
    }
  },
  oneOf:
    <T extends string>(...values: T[]) =>
    (raw: string) =>
      (values as string[]).includes(raw) ? (raw as T) : { error: `expected one of ${values.join(', ')}` },
};

/** Describes the configuration with secrets masked, for a start-up log line. */
export function describeConfig<S extends Schema>(schema: S, config: ConfigOf<S>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).map(([k, s]) => [s.env, s.secret ? '***' : (config as Record<string, unknown>)[k]]));
}
