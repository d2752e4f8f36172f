export { TenancyModule, TENANTS_DATA_SOURCE, type TenancyConfig } from './tenancy.module';
export { TenantDirectory, type TenantChangeNotice } from './tenant.directory';
export { PartnerClients, MissingConnectionError, fusionClientConfig, newShipbobClient, newShopifyClient, type ClientTokenOptions } from './partner.clients';
export { fusionTokenSource, shipbobTokenSource, managedAccessToken } from './partner.tokens';
export { partnerPingers } from './partner.pingers';
export { KafkaTenantChangePublisher } from './kafka-tenant-change.publisher';
export { tenancySettings, tenantServiceSettings } from './tenancy.settings';
export {
  reconcileReceivables,
  fusionDocumentsOf,
  compareOrder,
  shopifyOrdersIn,
  refundMemoNumber,
  type ReceivablesDifference,
  type ReceivablesCheck,
  type ReconciledDocument,
  type KnownOrderDocuments,
  type ReconcileWindow,
} from './receivables-reconciliation';
export { fusionLookups, shipbobLookups, shopifyAccessScopes, type FusionLookups, type ShipbobLookups } from './partner.lookups';
/** The partner's webhook topics, for services that may not import the ShipBob client itself (the doctor). */
export { SHIPBOB_WEBHOOK_TOPICS } from '@mlc/partners-shipbob-client';
export {
  recordWrites,
  jsonAnswer,
  dryRunRecord,
  DryRunHandledEvents,
  type WouldBeWrite,
  type DryRunResponder,
  type DryRunOutcome,
  type DryRunFlow,
} from './dry-run.fetch';
