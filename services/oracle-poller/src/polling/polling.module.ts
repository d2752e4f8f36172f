import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { LeaseKeeper, PgLeaseStore } from '@mlc/platform-lease';
import { LOGGER, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { ORACLE_POLLER_CONFIG, type OraclePollerConfig } from '../config/oracle-poller.config';
import { DeliveryVerifier } from './delivery-verifier';
import { FeedRegistry } from './feed.registry';
import { FeedRunner } from './feed-runner';
import { OperatorKeyGuard } from './operator-key.guard';
import { PollScheduler } from './poll.scheduler';
import { PollStateRepository } from './poll-state.repository';
import { PollerController } from './poller.controller';

/** The polling machinery every feed shares (feature modules import it): state in Postgres, delivery checks, scheduler, operator endpoints. */
@Module({
  controllers: [PollerController],
  providers: [
    PollStateRepository,
    DeliveryVerifier,
    FeedRegistry,
    FeedRunner,
    PollScheduler,
    OperatorKeyGuard,
    {
      // Each tenant feed is polled by the one replica holding its lease (platform_leases), fenced at every commit.
      provide: LeaseKeeper,
      inject: [PG_POOL, ORACLE_POLLER_CONFIG, LOGGER],
      useFactory: (pool: Pool, config: OraclePollerConfig, log: Logger) =>
        new LeaseKeeper(new PgLeaseStore(pool), {
          ttlMs: config.leaseTtlMs,
          onEvent: (event, detail) =>
            event === 'acquired' ? log.info('lease acquired', { lease: detail.name, token: detail.token }) : log.warn(`lease ${event}`, detail),
        }),
    },
  ],
  exports: [FeedRegistry],
})
export class PollingModule {}
