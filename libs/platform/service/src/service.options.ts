import { as, httpSettings, kafkaSettings, postgresSettings, type ConfigOf, type Setting } from '@mlc/platform-config';

/** Settings every service has. A service adds its own with `serviceSchema({...})`. */
export const baseSettings = {
  ...kafkaSettings,
  ...httpSettings,
  shutdownTimeoutMs: { env: 'SHUTDOWN_TIMEOUT_MS', doc: 'how long SIGTERM waits for the record in hand', parse: as.int(0), default: 20_000 } as Setting<number>,
};
export const withPostgres = { ...postgresSettings };
export type BaseConfig = ConfigOf<typeof baseSettings> & Partial<ConfigOf<typeof postgresSettings>>;

export interface ServiceOptions {
  name: string;
  config: BaseConfig;
  /** Whether readiness checks Postgres. */
  usesPostgres: boolean;
}
