import { Module } from '@nestjs/common';
import { OperatorActionsPublisher } from '../ops/operator-actions.publisher';
import { ConsoleController } from './console.controller';

/** The ops console of audit-projector: the page under /console and its session API (see ConsoleController). */
@Module({
  controllers: [ConsoleController],
  providers: [OperatorActionsPublisher],
})
export class ConsoleModule {}
