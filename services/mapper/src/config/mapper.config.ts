import type { ConfigOf } from '@mlc/platform-config';
import { baseSettings, withPostgres } from '@mlc/platform-service';
import { tenancySettings } from '@mlc/tenancy';
import { purchaseOrdersSettings } from '../purchase-orders/purchase-orders.settings';
import { shipmentsSettings } from '../shipments/shipments.settings';
import { shopifySettings } from '../shopify/shopify.settings';

/** Every setting of mapper, checked at start. */
export const mapperSettings = {
  ...baseSettings,
  ...withPostgres,
  ...tenancySettings,
  ...purchaseOrdersSettings,
  ...shipmentsSettings,
  ...shopifySettings,
};

export type MapperConfig = ConfigOf<typeof mapperSettings>;

/** Injection token for the validated configuration of mapper. */
export const MAPPER_CONFIG = Symbol('MAPPER_CONFIG');
