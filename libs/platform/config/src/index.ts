export { loadConfig, describeConfig, ConfigError, as, type Setting, type Schema, type ConfigOf } from './config.loader';
export { kafkaSettings, postgresSettings, httpSettings } from './common.settings';
