import type { ConfigOf } from '@mlc/platform-config';
import { leaseSettings } from '@mlc/platform-lease';
import { tenantServiceSettings } from '@mlc/tenancy';
import { opsSettings } from '../ops/ops.settings';
import { projectionSettings } from '../audit/projection.settings';
import { adminSettings } from '../admin/admin.settings';
import { webhooksSettings } from '../webhooks/webhooks.settings';
import { consoleSettings } from '../console/console.settings';

/** Every setting of audit-projector, checked at start. */
export const auditProjectorSettings = tenantServiceSettings(opsSettings, projectionSettings, leaseSettings, adminSettings, webhooksSettings, consoleSettings);

export type AuditProjectorConfig = ConfigOf<typeof auditProjectorSettings>;

/** Injection token for the validated configuration of audit-projector. */
export const AUDIT_PROJECTOR_CONFIG = Symbol('AUDIT_PROJECTOR_CONFIG');
