import type { Kafka } from 'kafkajs';

/**
 * Deletes a consumer group that belonged to one process only (a broadcast listener's private group), so that every
 * start does not leave an empty group behind for the broker to expire days later. Best effort and bounded: a broker
 * that does not answer within `timeoutMs` never holds a shutdown up. Call it after the group's consumer disconnected.
 */
export async function deleteEphemeralGroup(kafka: Kafka, groupId: string, timeoutMs = 3_000): Promise<void> {
  const admin = kafka.admin();
  const removed = admin
    .connect()
    .then(() => admin.deleteGroups([groupId]))
    .catch(() => undefined)
    .finally(() => void admin.disconnect().catch(() => undefined));
  await Promise.race([removed, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
}
