import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import type { Pool } from 'pg';
import type { MigrationSet } from './schema-migrations';
import { PG_POOL } from './service.tokens';

type EntityClass = abstract new (...args: never[]) => unknown;

const declared = { entities: new Set<EntityClass>(), migrations: new Map<string, MigrationSet>() };

/**
 * What a module needs of the process's one PostgreSQL pool: the TypeORM entities it reads through repositories and the
 * migration set whose tables it uses. Declared when the module is defined (`imports: [PostgresModule.forFeature(…)]`,
 * as @nestjs/typeorm's `forFeature` with `autoLoadEntities`), so the platform module's DataSource knows every entity
 * before it opens, and readiness knows which migrations must have been applied (never applies them).
 */
@Module({})
export class PostgresModule {
  static forFeature(feature: { migrations?: MigrationSet; entities?: readonly EntityClass[] }): DynamicModule {
    if (feature.migrations) declared.migrations.set(feature.migrations.table, feature.migrations);
    for (const e of feature.entities ?? []) declared.entities.add(e);
    return { module: PostgresModule };
  }

  /** Every entity declared in this process. */
  static entities(): EntityClass[] {
    return [...declared.entities];
  }

  /** Every migration set declared in this process (readiness checks that all of them are applied). */
  static migrationSets(): MigrationSet[] {
    return [...declared.migrations.values()];
  }
}

/** The provider of a store or repository built on the process's PostgreSQL pool: `new type(pool)`. */
export function poolProvider<T>(type: new (pool: Pool) => T): FactoryProvider<T> {
  return { provide: type, useFactory: (pool: Pool) => new type(pool), inject: [PG_POOL] };
}
