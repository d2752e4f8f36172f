export { waitFor } from './wait-for';
export { testKafka, collect, pruneTestKafka, testSuffixTime, TEST_BROKERS } from './test-kafka';
export { startService, readiness, freePort, REPO_ROOT, TEST_ENCRYPTION_KEYS, type RunningService } from './service-process';
export { testDatabase, migrateTestDatabase, type TestDatabase } from './test-database';
export { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver';
