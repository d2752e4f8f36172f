export * from './generated/types';
export { TOPICS, type TopicName, type TopicRecords, type TopicSpec } from './generated/topics';
export { SCHEMA_CATALOGUE, type SchemaVersion } from './generated/catalogue';
export { AvroCodec, DecodeError, type DecodeFailureReason } from './avro.codec';
export { crc64Avro } from './crc64-avro';
