export { waitFor } from './wait-for';
export { testKafka, collect, TEST_BROKERS } from './test-kafka';
