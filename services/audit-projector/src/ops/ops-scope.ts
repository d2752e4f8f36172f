import { mayAccess, type OperatorIdentity } from '@mlc/tenants';
import { forbidden } from './ops.errors';

export type OpsRequest = { operator: OperatorIdentity; headers: Record<string, string | string[] | undefined> };

/**
 * The tenants a request may see: `undefined` = all (an all-tenants key without a tenant filter); otherwise the
 * requested tenant (checked) or the key's own tenant. A scoped key `tenant-acme` reaches tenant `acme`.
 */
export function tenantScope(who: OperatorIdentity, requested?: string): string[] | undefined {
  if (requested) {
    if (!mayAccess(who, requested)) throw forbidden('this API key may not access that tenant');
    return [requested];
  }
  if (who.tenant === '*') return undefined;
  return [...new Set([who.tenant, who.tenant.replace(/^tenant-/, '')])];
}

export function assertTenant(who: OperatorIdentity, tenantId: string): void {
  if (!mayAccess(who, tenantId)) throw forbidden('this API key may not access that tenant');
}

export function assertAllTenants(who: OperatorIdentity, what: string): void {
  if (who.tenant !== '*') throw forbidden(`${what} needs an all-tenants operator key`);
}
