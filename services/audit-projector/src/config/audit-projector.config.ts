import type { ConfigOf } from '@mlc/platform-config';
import { baseSettings, withPostgres } from '@mlc/platform-service';

/** Every setting of audit-projector, checked at start. */
export const auditProjectorSettings = {
  ...baseSettings,
  ...withPostgres,
};

export type AuditProjectorConfig = ConfigOf<typeof auditProjectorSettings>;
