/** The tables a rebuild must reproduce exactly (compared by the rebuild test). Created by AUDIT_MIGRATION_SET. */
export const AUDIT_TABLES = ['audit_entries', 'audit_xrefs', 'audit_exceptions', 'audit_billing_records', 'audit_flow_states'] as const;
