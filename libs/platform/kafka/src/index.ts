export { createKafka, topicName, dlqName, type KafkaConnectionOptions } from './kafka.options';
export { ensureTopics, plannedTopics, defaultMinInsyncReplicas, type TopicBootstrapOptions, type TopicAlignment, type PlannedTopic } from './topics.bootstrap';
export { EventPublisher, toMessage, type OutgoingRecord } from './event.publisher';
export {
  EventConsumer,
  type BatchHandler,
  type ConsumedRecord,
  type ConsumerOptions,
  type ConsumerStatus,
  type Handler,
  type HandlerContext,
  type RecordException,
} from './event.consumer';
export { PgProcessedEventStore, type ProcessedEventStore } from './processed-events.store';
export { newMeta, metaHeaders, currentTraceparent, headerString } from './event-meta';
export { ulid } from './ulid';
export { kafkaHealth, type KafkaHealth } from './kafka.health';
export { HoldPartition, isHoldPartition } from './hold-partition';
export { deleteEphemeralGroup } from './ephemeral-group';
