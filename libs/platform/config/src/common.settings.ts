import { as, type Setting } from './config.loader';

/** Settings shared by every service that talks to Kafka. */
export const kafkaSettings = {
  kafkaBrokers: { env: 'KAFKA_BROKERS', doc: 'comma-separated host:port list', parse: as.list, default: ['127.0.0.1:9092'] } as Setting<string[]>,
  kafkaClientId: { env: 'KAFKA_CLIENT_ID', doc: 'client id prefix', parse: as.string, default: 'ml-connector' } as Setting<string>,
  kafkaSsl: { env: 'KAFKA_SSL', doc: 'use TLS to the brokers', parse: as.bool, default: false } as Setting<boolean>,
  kafkaSslCa: {
    env: 'KAFKA_SSL_CA',
    doc: "PEM file of the CA(s) that signed the brokers' certificates, trusted for Kafka only (implies TLS); empty: the system CAs and NODE_EXTRA_CA_CERTS",
    parse: as.string,
    default: '',
  } as Setting<string>,
  kafkaSaslMechanism: {
    env: 'KAFKA_SASL_MECHANISM',
    doc: 'plain | scram-sha-256 | scram-sha-512 (empty: none)',
    parse: as.oneOf('plain', 'scram-sha-256', 'scram-sha-512'),
    optional: true,
  } as Setting<'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined>,
  kafkaSaslUsername: { env: 'KAFKA_SASL_USERNAME', doc: 'SASL user', parse: as.string, default: '' } as Setting<string>,
  kafkaSaslPassword: { env: 'KAFKA_SASL_PASSWORD', doc: 'SASL password', parse: as.string, secret: true, default: '' } as Setting<string>,
  topicSuffix: {
    env: 'KAFKA_TOPIC_SUFFIX',
    doc: 'appended to every topic name (tests isolate runs with it)',
    parse: as.string,
    default: '',
  } as Setting<string>,
  groupIdSuffix: {
    env: 'KAFKA_GROUP_ID_SUFFIX',
    doc: "appended to every consumer group id (tests sharing a broker with other runs isolate their groups with it: kafkajs' assigners hand a group's partitions to any member, subscribed or not)",
    parse: as.string,
    default: '',
  } as Setting<string>,
  kafkaSessionTimeoutMs: {
    env: 'KAFKA_SESSION_TIMEOUT_MS',
    doc: "consumer session timeout: how soon a crashed member's partitions move to the others (broker allows 6000..300000 by default)",
    parse: as.int(1_000, 3_600_000),
    default: 10_000,
  } as Setting<number>,
  replicationFactor: { env: 'KAFKA_REPLICATION_FACTOR', doc: 'replication factor for created topics', parse: as.int(1, 9), default: 1 } as Setting<number>,
  topicPartitions: {
    env: 'KAFKA_TOPIC_PARTITIONS',
    doc: 'partitions of each keyed data topic the topic bootstrap creates, at least (a larger count in schemas/topics.json wins; existing topics are never re-partitioned: that would move keys)',
    parse: as.int(1, 1000),
    default: 6,
  } as Setting<number>,
  minInsyncReplicas: {
    env: 'KAFKA_MIN_INSYNC_REPLICAS',
    doc: 'min.insync.replicas the topic bootstrap sets on every topic, new and existing (default: 2 when KAFKA_REPLICATION_FACTOR >= 3, else the broker default); with acks=all a write then needs that many replicas',
    parse: as.int(1, 9),
    optional: true,
  } as Setting<number | undefined>,
};

export const postgresSettings = {
  databaseUrl: {
    env: 'DATABASE_URL',
    doc: 'postgres://user:password@host:port/db',
    parse: as.string,
    secret: true,
    default: 'postgres://mlc:mlc@127.0.0.1:5432/mlc',
  } as Setting<string>,
  pgPoolMax: {
    env: 'PG_POOL_MAX',
    doc: "connections in the process's one PostgreSQL pool (TypeORM's; every repository and raw query shares it)",
    parse: as.int(1, 200),
    default: 10,
  } as Setting<number>,
};

export const httpSettings = {
  port: { env: 'PORT', doc: 'HTTP port for health, metrics and APIs (0 = any free port)', parse: as.int(0, 65535), default: 3000 } as Setting<number>,
  logLevel: { env: 'LOG_LEVEL', doc: 'error | warn | info | debug', parse: as.oneOf('error', 'warn', 'info', 'debug'), default: 'info' } as Setting<
    'error' | 'warn' | 'info' | 'debug'
  >,
};
