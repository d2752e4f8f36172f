export const SERVICE_OPTIONS = Symbol('SERVICE_OPTIONS');
export const KAFKA = Symbol('KAFKA');
export const CODEC = Symbol('CODEC');
export const PUBLISHER = Symbol('PUBLISHER');
/** The pg Pool raw SQL runs on: the driver pool of PG_DATA_SOURCE (one pool per service process). */
export const PG_POOL = Symbol('PG_POOL');
/** The process's initialised TypeORM DataSource (repositories of every entity declared with PostgresModule.forFeature). */
export const PG_DATA_SOURCE = Symbol('PG_DATA_SOURCE');
export const LOGGER = Symbol('LOGGER');
