import type { ConfigOf } from '@mlc/platform-config';
import { baseSettings, withPostgres } from '@mlc/platform-service';

/** Every setting of oracle-poller, checked at start. */
export const oraclePollerSettings = {
  ...baseSettings,
  ...withPostgres,
};

export type OraclePollerConfig = ConfigOf<typeof oraclePollerSettings>;
