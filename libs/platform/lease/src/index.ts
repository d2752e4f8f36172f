export { PgLeaseStore, LeaseLostError, type LeaseGrant } from './lease.store';
export { LeaseKeeper, leaseOwnerId, type HeldLease, type LeaseKeeperOptions } from './lease.keeper';
export { leaseSettings } from './lease.settings';
export { LEASE_MIGRATION_SET } from './migrations';
export { runUnderLease, type RunLease } from './lease.run';
