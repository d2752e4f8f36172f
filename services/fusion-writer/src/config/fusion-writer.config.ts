import type { ConfigOf } from '@mlc/platform-config';
import { tenantServiceSettings } from '@mlc/tenancy';
import { purchaseOrdersSettings } from '../purchase-orders/purchase-orders.settings';
import { receivablesSettings } from '../receivables/receivables.settings';

/** Every setting of fusion-writer, checked at start. */
export const fusionWriterSettings = tenantServiceSettings(purchaseOrdersSettings, receivablesSettings);

export type FusionWriterConfig = ConfigOf<typeof fusionWriterSettings>;

/** Injection token for the validated configuration of fusion-writer. */
export const FUSION_WRITER_CONFIG = Symbol('FUSION_WRITER_CONFIG');
