export { formatReferenceId, parseReferenceId, type OrderReference } from './reference-id';
export * from './orders';
export * from './shipments';
