import type { INestApplication } from '@nestjs/common';
import { bootService, type BootOptions } from '@mlc/platform-service';
import { logger, stopTelemetry } from '@mlc/platform-telemetry';
import type { Schema } from '@mlc/platform-config';

/** The services of the combined process in `npm start`'s order: with PORT=3001 (default) they get 3001..3006. */
export const COMBINED_ORDER = ['audit-projector', 'mapper', 'shipbob-writer', 'fusion-writer', 'oracle-poller', 'webhook-gateway'] as const;
export type CombinedService = (typeof COMBINED_ORDER)[number];

/** `webhook-gateway` -> `WEBHOOK_GATEWAY_PORT`: the env key that overrides one service's port in combined mode. */
export const portKey = (name: string): string => `${name.toUpperCase().replace(/-/g, '_')}_PORT`;

/**
 * Each service's environment in the combined process: the process's own (same keys as when it runs alone), with PORT
 * set to `<NAME>_PORT` if given, else base PORT (3001) + its place in COMBINED_ORDER.
 */
export function serviceEnv(name: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = Number(env['PORT'] ?? 3001);
  const offset = COMBINED_ORDER.indexOf(name as CombinedService);
  const port = env[portKey(name)] ?? String(base + Math.max(offset, 0));
  return { ...env, PORT: port };
}

/** Which services COMBINED_SERVICES names (comma-separated; default all six); unknown names are a configuration error. */
export function selectedServices(env: NodeJS.ProcessEnv): CombinedService[] {
  const raw = env['COMBINED_SERVICES']?.trim();
  if (!raw) return [...COMBINED_ORDER];
  const wanted = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((w) => !COMBINED_ORDER.includes(w as CombinedService));
  if (unknown.length) throw new Error(`COMBINED_SERVICES: unknown service(s) ${unknown.join(', ')}; choose from ${COMBINED_ORDER.join(', ')}`);
  return COMBINED_ORDER.filter((s) => wanted.includes(s));
}

/**
 * Boots the given services in this one process through the same bootService each uses alone (own Nest container,
 * configuration, HTTP port, Kafka clients and consumer groups, Postgres pool), then handles SIGTERM/SIGINT once:
 * every app drains and closes in parallel, telemetry is flushed, the process exits 0.
 */
export async function bootCombined(definitions: Array<BootOptions<Schema>>, env: NodeJS.ProcessEnv = process.env): Promise<INestApplication[]> {
  const log = logger('combined');
  const apps = await Promise.all(definitions.map((d) => bootService({ ...d, env: serviceEnv(d.name, env), ownsProcess: false })));
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info('stopping the combined process', { signal, services: definitions.map((d) => d.name) });
    void Promise.allSettled(apps.map((a) => a.close()))
      .then(() => stopTelemetry())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  log.info('combined process started', {
    services: definitions.map((d, i) => ({ name: d.name, port: (apps[i]!.getHttpServer().address() as { port: number }).port })),
  });
  return apps;
}
