import type { Kafka, Producer, IHeaders } from 'kafkajs';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { AvroCodec, TOPICS, type TopicName, type TopicRecords } from '@mlc/contracts';
import { CoalescingSender } from './coalescing.sender';
import { completeSendBatch, recordingPartitioner } from './complete-send';
import { metaHeaders } from './event-meta';
import { topicName } from './kafka.options';

export interface OutgoingRecord<T extends TopicName = TopicName> {
  topic: T;
  key: string;
  value: TopicRecords[T];
}

/** Encodes a typed record into the Kafka message we send (value, key, headers). */
export function toMessage(codec: AvroCodec, record: OutgoingRecord): { key: string; value: Buffer; headers: IHeaders } {
  const spec = TOPICS[record.topic];
  const meta = (record.value as { meta: Parameters<typeof metaHeaders>[0] }).meta;
  return { key: record.key, value: codec.encodeFor(record.topic, record.value as never), headers: metaHeaders(meta, spec.record) };
}

/**
 * Typed publishing over an idempotent producer (acks from all in-sync replicas). Resolves when Kafka acknowledged.
 * Publishes made while another is in flight share the next send (CoalescingSender): many handlers publishing at once
 * cost one round trip to the broker, not one each.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private readonly sender: CoalescingSender;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly codec: AvroCodec = new AvroCodec(),
    private readonly suffix = '',
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: recordingPartitioner });
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
    this.sender = new CoalescingSender(this.producer);
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async publish<T extends TopicName>(record: OutgoingRecord<T>): Promise<void> {
    await this.publishMany([record]);
  }

  async publishMany(records: OutgoingRecord[]): Promise<void> {
    if (!records.length) return;
    const byTopic = new Map<string, ReturnType<typeof toMessage>[]>();
    for (const r of records) {
      const name = topicName(r.topic, this.suffix);
      byTopic.set(name, [...(byTopic.get(name) ?? []), toMessage(this.codec, r)]);
    }
    await this.sender.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
  }

  /**
   * Publishes records, each under the trace its meta names (`meta.traceparent`), so records that each began their own
   * trace (a poller's records, each linked to the poll) keep one trace per record across the hop instead of all
   * becoming children of whatever span is active. They share sends (in order); resolves when Kafka acknowledged all.
   */
  async publishEachInItsTrace(records: OutgoingRecord[]): Promise<void> {
    await Promise.all(
      records.map((r) => {
        const traceparent = (r.value as { meta?: { traceparent?: string | null } }).meta?.traceparent;
        const ctx = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
        return context.with(ctx, () => this.publishMany([r]));
      }),
    );
  }

  /** Sends raw bytes (dead letters, republishing an original record unchanged). */
  async publishRaw(topic: string, messages: { key: string | null; value: Buffer | null; headers?: IHeaders }[]): Promise<void> {
    await completeSendBatch((b) => this.producer.sendBatch(b), { acks: -1, topicMessages: [{ topic, messages }] });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = false;
  }
}
