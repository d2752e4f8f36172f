import { Partitioners, type ICustomPartitioner, type Message, type ProducerBatch, type RecordMetadata } from 'kafkajs';
import { AppError } from '@mlc/platform-errors';

/** The partition kafkajs chose for each message we sent (through recordingPartitioner). */
const assigned = new WeakMap<Message, number>();

/**
 * kafkajs' DefaultPartitioner (what kafkajs 2 uses when none is given: Java-compatible murmur2 of the key), noting the
 * partition of every message, so that completeSendBatch can tell which of them a send left out.
 */
export const recordingPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner();
  return (args) => {
    const p = partition(args);
    assigned.set(args.message, p);
    return p;
  };
};

/** Rounds of re-sending what a send left out before giving up (retryable: the caller sends again). */
const MAX_ROUNDS = 5;

/**
 * `sendBatch`, then again for every message whose partition has no acknowledgement in the answer, until each has one.
 *
 * kafkajs 2.2.4 (producer/sendMessages.js) keeps the answers of one send per broker. When one broker acknowledged its
 * partitions and another failed (a broker restarting), the retry re-reads the partition leaders; partitions that
 * moved to the broker which already answered are then never sent, and the send resolves as if they had been: their
 * records are lost without an error (the chaos run's PO events during a broker restart: a poller batch half on the
 * topic, recorded as emitted). The answer lists every acknowledged partition, so what is missing is known and sent
 * again, on the partition it was meant for. Messages of a producer without recordingPartitioner are not checked.
 */
export async function completeSendBatch(send: (batch: ProducerBatch) => Promise<RecordMetadata[]>, batch: ProducerBatch): Promise<RecordMetadata[]> {
  let pending = batch.topicMessages ?? [];
  const all: RecordMetadata[] = [];
  for (let round = 1; ; round++) {
    const answer = await send({ ...batch, topicMessages: pending });
    all.push(...answer);
    const acked = new Set(answer.map((r) => `${r.topicName}\u0000${r.partition}`));
    const missing = pending
      .map(({ topic, messages }) => ({
        topic,
        messages: messages.flatMap((m) => {
          const partition = m.partition ?? assigned.get(m);
          return partition === undefined || acked.has(`${topic}\u0000${partition}`) ? [] : [{ ...m, partition }];
        }),
      }))
      .filter((t) => t.messages.length);
    if (!missing.length) return all;
    if (round >= MAX_ROUNDS) {
      throw new AppError('KAFKA.SEND_INCOMPLETE', `Kafka acknowledged only part of a send after ${round} rounds`, {
        retryable: true,
        details: { missing: missing.map((t) => `${t.topic}: ${t.messages.length}`) },
      });
    }
    pending = missing;
  }
}
