import { Controller, Get, Header, Inject, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { kafkaHealth } from '@mlc/platform-kafka';
import { PROMETHEUS_CONTENT_TYPE } from '@mlc/platform-telemetry';
import { ConsumerHost } from './consumer.host';
import { KAFKA, PG_POOL } from './service.tokens';
import { MetricsRegistry } from './metrics.registry';
import { PostgresModule } from './postgres.module';
import { pendingMigrations } from './schema-migrations';

/**
 * Terminus endpoints: liveness (the process answers) and readiness (Kafka, consumers, Postgres where used, and its
 * schema: every migration the service's modules declared is applied).
 */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly consumers: ConsumerHost,
    private readonly metrics: MetricsRegistry,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Optional() @Inject(PG_POOL) private readonly pool?: Pool,
  ) {}

  @Get('health/live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.indicator.check('process').up({ pid: process.pid, uptimeSec: Math.round(process.uptime()) })]);
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    const checks: HealthIndicatorFunction[] = [
      async () => {
        const k = await kafkaHealth(this.kafka);
        return k.up ? this.indicator.check('kafka').up({ brokers: k.brokers }) : this.indicator.check('kafka').down({ error: k.error });
      },
      async () => {
        const all = this.consumers.status();
        // A consumer an operator stopped (around an offset reset) is not a failure; it is reported, not counted.
        const byOperator = all.filter((s) => s.stoppedByOperator).map((s) => s.groupId);
        const stopped = all.filter((s) => !s.running && !s.stoppedByOperator);
        // Partitions a handler holds (a paused flow): reported, not a failure.
        const held = all.flatMap((s) => s.held);
        return stopped.length === 0
          ? this.indicator
              .check('consumers')
              .up({ count: all.length, ...(byOperator.length ? { stoppedByOperator: byOperator } : {}), ...(held.length ? { held } : {}) })
          : this.indicator
              .check('consumers')
              .down({ stopped: stopped.length, lastError: stopped[0]?.lastError, ...(byOperator.length ? { stoppedByOperator: byOperator } : {}) });
      },
    ];
    if (this.pool) {
      const pool = this.pool;
      checks.push(async () => {
        try {
          await pool.query('SELECT 1');
          return this.indicator.check('postgres').up();
        } catch (err) {
          return this.indicator.check('postgres').down({ error: (err as Error).message });
        }
      });
      checks.push(async () => {
        try {
          const pending = await pendingMigrations(pool, PostgresModule.migrationSets());
          if (pending.length === 0) return this.indicator.check('schema').up();
          return this.indicator.check('schema').down({ error: schemaBehind(pending), pending });
        } catch (err) {
          return this.indicator.check('schema').down({ error: (err as Error).message });
        }
      });
    }
    return this.health.check(checks);
  }

  /** Prometheus scrape endpoint: consumer, flow and partner metrics plus the http/kafkajs instrumentations' own. */
  @Get('metrics')
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}

/** What readiness says while the database is behind the code: the service never migrates, the migrator does. */
export function schemaBehind(pending: readonly string[]): string {
  return (
    `${pending.length} migration${pending.length === 1 ? '' : 's'} pending: ${pending.join(', ')}; ` +
    'run the migrator (`node dist/tools/migrate.js`; `npm start` and the Helm pre-install/pre-upgrade hook Job run it)'
  );
}
