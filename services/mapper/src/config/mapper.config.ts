import type { ConfigOf } from '@mlc/platform-config';
import { PLATFORM_RETENTION_TARGETS, retentionSettings, type RetentionTarget } from '@mlc/platform-service';
import { tenantServiceSettings } from '@mlc/tenancy';
import { purchaseOrdersSettings } from '../purchase-orders/purchase-orders.settings';
import { shipmentsSettings } from '../shipments/shipments.settings';
import { shopifySettings } from '../shopify/shopify.settings';

/** Every setting of mapper, checked at start. */
export const mapperSettings = tenantServiceSettings(purchaseOrdersSettings, shipmentsSettings, shopifySettings, retentionSettings);

export type MapperConfig = ConfigOf<typeof mapperSettings>;

/** Injection token for the validated configuration of mapper. */
export const MAPPER_CONFIG = Symbol('MAPPER_CONFIG');

/**
 * The de-duplication tables mapper's retention sweep trims: the platform's processed_events (shared by every
 * service's consumers; one sweeper is enough) and mapper's own webhook-delivery and emitted-record memories.
 */
export const MAPPER_RETENTION_TARGETS: readonly RetentionTarget[] = [
  ...PLATFORM_RETENTION_TARGETS,
  { table: 'mapper_shipment_deliveries', column: 'received_at' },
  { table: 'mapper_shipment_emitted', column: 'created_at' },
];
