import { Module } from '@nestjs/common';
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
  providers: [PollStateRepository, DeliveryVerifier, FeedRegistry, FeedRunner, PollScheduler, OperatorKeyGuard],
  exports: [FeedRegistry],
})
export class PollingModule {}
