import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { retryUntilDone } from '@mlc/platform-errors';
import type { EventPublisher } from '@mlc/platform-kafka';
import { KAFKA, LOGGER, PUBLISHER, SERVICE_OPTIONS, type ServiceOptions } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { FlowControl, type FlowControlOptions } from './flow-control';

/** Loads the flow states in the background (a broker that is down must not keep the service from starting). */
@Injectable()
class FlowControlLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;

  constructor(
    private readonly flows: FlowControl,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    void retryUntilDone(
      async () => {
        await this.flows.start();
        const paused = this.flows.list().filter((f) => f.state === 'paused');
        this.log.info('flow-control state loaded', { paused: paused.map((f) => `${f.tenantId}:${f.partner}`) });
      },
      {
        policy: { baseMs: 500, maxMs: 15_000 },
        keepGoing: () => this.running,
        onError: async (err, attempt) => {
          this.log.warn('flow-control state could not be loaded; retrying (records wait meanwhile)', { error: (err as Error).message, attempt });
          await this.flows.stop();
        },
      },
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.flows.stop();
  }
}

/**
 * Gives a service's handlers `FlowControl` (inject it), reading ops.flow-control.changed.v1 with the service's Kafka
 * and topic suffix and publishing self-pauses with its publisher (import it once, among the modules the platform module shares: `bootService({ shared })`). Until
 * the state is loaded, `guard` holds records.
 */
@Module({})
export class FlowControlModule {
  static forService(opts: Pick<FlowControlOptions, 'authFailureLimit' | 'pollMs'> = {}): DynamicModule {
    return {
      module: FlowControlModule,
      providers: [
        {
          provide: FlowControl,
          useFactory: (kafka: Kafka, publisher: EventPublisher, options: ServiceOptions) =>
            new FlowControl(kafka, { ...opts, topicSuffix: options.config.topicSuffix, publisher, service: options.name }),
          inject: [KAFKA, PUBLISHER, SERVICE_OPTIONS],
        },
        FlowControlLifecycle,
      ],
      exports: [FlowControl],
    };
  }
}
