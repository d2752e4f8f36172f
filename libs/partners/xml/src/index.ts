export * from './soap-xml';
