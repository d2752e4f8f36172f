import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { BatchObservableCallback, Observable } from '@opentelemetry/api';
import { METRIC, mlcMeter } from '@mlc/platform-telemetry';
import { ConsumerHost } from './consumer.host';
import { KAFKA, SERVICE_OPTIONS } from './service.tokens';
import type { ServiceOptions } from './service.options';

/** Lag is read from the broker at most this often, however often /metrics is scraped. */
const LAG_CACHE_MS = 5_000;
const ADMIN_TIMEOUT_MS = 3_000;

export interface GroupLag {
  group: string;
  topic: string;
  lag: number;
}

/**
 * Consumer lag per group and topic, from the broker: the sum over partitions of (latest offset - committed offset)
 * (a partition with nothing committed counts from its earliest offset). Also exposes each consumer's running state
 * and restart count. Observed on every collection (GET /metrics, OTLP export).
 */
@Injectable()
export class ConsumerLagMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;
  private cached: { at: number; lags: GroupLag[] } | undefined;
  private pending: Promise<GroupLag[]> | undefined;
  private callback: BatchObservableCallback | undefined;
  private observables: Observable[] = [];

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly consumers: ConsumerHost,
    @Inject(SERVICE_OPTIONS) private readonly options: ServiceOptions,
  ) {}

  onApplicationBootstrap(): void {
    const meter = mlcMeter();
    const lag = meter.createObservableGauge(METRIC.consumerLag, {
      description: 'records not yet consumed (latest - committed offset), per consumer group and topic',
    });
    const running = meter.createObservableGauge(METRIC.consumerRunning, { description: '1 while the consumer is in its group' });
    const restarts = meter.createObservableCounter(METRIC.consumerRestarts, { description: 'consumer rebuilds after a fatal crash' });
    this.observables = [lag, running, restarts];
    this.callback = async (result) => {
      for (const s of this.consumers.status()) {
        result.observe(running, s.running ? 1 : 0, { group: s.groupId });
        result.observe(restarts, s.restarts, { group: s.groupId });
      }
      for (const l of await withTimeout(this.lags()).catch(() => [])) result.observe(lag, l.lag, { group: l.group, topic: this.baseTopic(l.topic) });
    };
    meter.addBatchObservableCallback(this.callback, this.observables);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.callback) mlcMeter().removeBatchObservableCallback(this.callback, this.observables);
    this.callback = undefined;
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  /** Lag of every consumer group of this service (cached for a few seconds; one read at a time). */
  async lags(): Promise<GroupLag[]> {
    if (this.cached && Date.now() - this.cached.at < LAG_CACHE_MS) return this.cached.lags;
    this.pending ??= this.read().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async read(): Promise<GroupLag[]> {
    const admin = await this.connect();
    const out: GroupLag[] = [];
    for (const s of this.consumers.status()) {
      const committed = await withTimeout(admin.fetchOffsets({ groupId: s.groupId, topics: s.topics }));
      for (const t of committed) {
        const ends = await withTimeout(admin.fetchTopicOffsets(t.topic));
        let lag = 0;
        for (const p of ends) {
          const done = t.partitions.find((c) => c.partition === p.partition)?.offset;
          const from = done !== undefined && Number(done) >= 0 ? Number(done) : Number(p.low);
          lag += Math.max(0, Number(p.high) - from);
        }
        out.push({ group: s.groupId, topic: t.topic, lag });
      }
    }
    this.cached = { at: Date.now(), lags: out };
    return out;
  }

  private async connect(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await withTimeout(admin.connect());
      } catch (err) {
        this.connecting = undefined;
        throw err;
      }
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }

  private baseTopic(topic: string): string {
    const suffix = this.options.config.topicSuffix;
    return suffix && topic.endsWith(suffix) ? topic.slice(0, -suffix.length) : topic;
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('kafka admin timed out')), ADMIN_TIMEOUT_MS))),
  ]);
}
