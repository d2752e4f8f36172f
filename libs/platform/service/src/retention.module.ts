import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Logger } from '@mlc/platform-telemetry';
import { sweepRetention, type RetentionTarget } from './retention';
import { LOGGER, PG_POOL } from './service.tokens';

const RETENTION = Symbol('RETENTION');
const SWEEP_EVERY_MS = 3_600_000;

interface RetentionOptions {
  targets: readonly RetentionTarget[];
  days: number;
}

/** Deletes old de-duplication rows hourly (the first sweep a minute after start), one replica at a time. */
@Injectable()
class RetentionSweep implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(RETENTION) private readonly options: RetentionOptions,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    const first = setTimeout(() => void this.sweep(), 60_000);
    first.unref();
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    try {
      const deleted = await sweepRetention(this.pool, this.options.targets, this.options.days);
      if (deleted && Object.values(deleted).some((n) => n > 0))
        this.log.info('deleted old de-duplication rows', { ...deleted, olderThanDays: this.options.days });
    } catch (err) {
      this.log.warn('retention sweep failed (tried again next hour)', { error: (err as Error).message });
    }
  }
}

/** `DedupRetentionModule.forRoot({ targets, days })` in a service's AppModule: the retention of its de-duplication tables. */
@Module({})
export class DedupRetentionModule {
  static forRoot(options: RetentionOptions): DynamicModule {
    return { module: DedupRetentionModule, providers: [{ provide: RETENTION, useValue: options }, RetentionSweep] };
  }

  /** The same with options from providers (e.g. the service's configuration). */
  static forRootAsync(options: { inject: Array<string | symbol>; useFactory: (...deps: never[]) => RetentionOptions }): DynamicModule {
    return { module: DedupRetentionModule, providers: [{ provide: RETENTION, useFactory: options.useFactory, inject: options.inject }, RetentionSweep] };
  }
}
