/**
 * Column definitions most tables of the migrations share, written into their CREATE TABLE statements
 * (`${TENANT_ID_COLUMN},`): each stands for exactly this SQL, so a migration that uses one runs the same DDL as before.
 */
export const TENANT_ID_COLUMN = 'tenant_id text NOT NULL';
export const CREATED_AT_COLUMN = 'created_at timestamptz NOT NULL DEFAULT now()';
export const UPDATED_AT_COLUMN = 'updated_at timestamptz NOT NULL DEFAULT now()';
