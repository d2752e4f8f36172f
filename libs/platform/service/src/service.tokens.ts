export const SERVICE_OPTIONS = Symbol('SERVICE_OPTIONS');
export const KAFKA = Symbol('KAFKA');
export const CODEC = Symbol('CODEC');
export const PUBLISHER = Symbol('PUBLISHER');
export const PG_POOL = Symbol('PG_POOL');
export const LOGGER = Symbol('LOGGER');
