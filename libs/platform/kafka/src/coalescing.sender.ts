import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { CompressionTypes, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { MLC_ATTR } from '@mlc/platform-telemetry';
import { completeSendBatch } from './complete-send';

interface Pending {
  topicMessages: TopicMessages[];
  /** The caller's active context: each record's `send` span is a child of it, as if the caller had sent alone. */
  ctx: Context;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Records and bytes per coalesced sendBatch at most (a caller's records are never split across two). The bytes stay
 * well under the broker's max.message.bytes (1 MB by default), which bounds one partition's record batch: a page of
 * the poller's 2.5 KB purchase-order events shared one send and was refused whole.
 */
const MAX_BATCH_MESSAGES = 2_000;
const MAX_BATCH_BYTES = 512 * 1024;

const bytesOf = (topicMessages: TopicMessages[]): number =>
  topicMessages.reduce((n, t) => n + t.messages.reduce((m, msg) => m + sizeOf(msg.value) + sizeOf(msg.key) + 64, 0), 0);

const sizeOf = (v: Buffer | string | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);

// getTracer builds a fresh tracer per call, and this runs once per record sent: keep one per registered provider (a
// test that registers another provider gets a tracer of that one).
let cached: { provider: TracerProvider; tracer: Tracer } | undefined;
const tracer = (): Tracer => {
  const provider = trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer('ml-connector') };
  return cached.tracer;
};

const headerText = (m: Message, name: string): string | undefined => {
  const v = m.headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
};

/**
 * Sends of one idempotent producer (acks from all in-sync replicas) that arrive while another is in flight share the
 * next one: one `sendBatch` for all of them. Each caller's promise resolves only once the broker acknowledged the
 * batch holding its records, and rejects when that batch failed (the caller retries as it would have alone; records
 * of a batch that failed part-way may be on the topic twice, as with any retried send: readers are idempotent). A
 * caller's records keep their order, and callers keep theirs (one batch in flight at a time, in arrival order).
 *
 * Traces: each record gets its own `send <topic>` producer span in its caller's context and that span's traceparent
 * in its headers, as the kafkajs instrumentation does for a send made alone, so a record's trace is the same whether
 * or not its send was shared. (The instrumented sendBatch would parent every record of the batch on whatever context
 * is active at the flush, so the batch goes through the uninstrumented original.)
 */
export class CoalescingSender {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly producer: Producer) {}

  send(topicMessages: TopicMessages[]): Promise<void> {
    if (!topicMessages.some((t) => t.messages.length)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topicMessages, ctx: context.active(), resolve, reject });
      // The flush starts once the caller's synchronous code is done, so that sends made in one go (publishEachInItsTrace)
      // share the first sendBatch too.
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch: Pending[] = [];
        let count = 0;
        let bytes = 0;
        while (this.queue.length) {
          const next = this.queue[0]!.topicMessages;
          const size = next.reduce((n, t) => n + t.messages.length, 0);
          const weight = bytesOf(next);
          if (batch.length && (count + size > MAX_BATCH_MESSAGES || bytes + weight > MAX_BATCH_BYTES)) break;
          batch.push(this.queue.shift()!);
          count += size;
          bytes += weight;
        }
        await this.sendOne(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  private async sendOne(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    const spans: Span[] = [];
    for (const p of batch) {
      for (const { topic, messages } of p.topicMessages) {
        const out = byTopic.get(topic) ?? [];
        byTopic.set(topic, out);
        for (const m of messages) {
          const message = { ...m, headers: { ...(m.headers ?? {}) } };
          spans.push(producerSpan(topic, message, p.ctx));
          out.push(message);
        }
      }
    }
    const record = { acks: -1, compression: CompressionTypes.None, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) };
    const original = (this.producer.sendBatch as { __original?: Producer['sendBatch'] }).__original;
    try {
      // Every message acknowledged, or an error: kafkajs can leave some out of a send it reports done (complete-send.ts).
      await completeSendBatch((b) => (original ? original.call(this.producer, b) : this.producer.sendBatch(b)), record);
    } catch (err) {
      for (const s of spans) {
        s.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        s.end();
      }
      for (const p of batch) p.reject(err);
      return;
    }
    for (const s of spans) s.end();
    for (const p of batch) p.resolve();
  }
}

/** The span and headers @opentelemetry/instrumentation-kafkajs makes for one record sent (plus our mlc attributes). */
function producerSpan(topic: string, message: Message, parent: Context): Span {
  const tenant = headerText(message, 'mlc-tenant-id');
  const eventId = headerText(message, 'mlc-event-id');
  const correlation = headerText(message, 'mlc-correlation-id');
  const span = tracer().startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.operation.name': 'send',
        'messaging.operation.type': 'send',
        ...(message.key ? { 'messaging.kafka.message.key': String(message.key) } : {}),
        ...(tenant ? { [MLC_ATTR.tenantId]: tenant } : {}),
        ...(eventId ? { 'messaging.message.id': eventId, [MLC_ATTR.eventId]: eventId } : {}),
        ...(correlation ? { [MLC_ATTR.correlationId]: correlation } : {}),
      },
    },
    parent,
  );
  propagation.inject(trace.setSpan(parent, span), message.headers);
  return span;
}
