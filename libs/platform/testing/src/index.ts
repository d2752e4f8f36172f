export { waitFor } from './wait-for';
export { testKafka, collect, pruneTestKafka, testSuffixTime, TEST_BROKERS, type Collected } from './test-kafka';
export { consumerLag, waitForLagZero, waitForRows, waitForRequests, type LoggedRequestLike } from './barriers';
export { startService, readiness, freePort, REPO_ROOT, TEST_ENCRYPTION_KEYS, type RunningService } from './service-process';
export { testDatabase, migrateTestDatabase, type TestDatabase } from './test-database';
export { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver';
