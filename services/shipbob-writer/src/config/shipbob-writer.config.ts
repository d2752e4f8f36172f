import type { ConfigOf } from '@mlc/platform-config';
import { tenantServiceSettings } from '@mlc/tenancy';
import { ordersSettings } from '../orders/orders.settings';

/** Every setting of shipbob-writer, checked at start. */
export const shipbobWriterSettings = tenantServiceSettings(ordersSettings);

export type ShipbobWriterConfig = ConfigOf<typeof shipbobWriterSettings>;

/** Injection token for the validated configuration of shipbob-writer. */
export const SHIPBOB_WRITER_CONFIG = Symbol('SHIPBOB_WRITER_CONFIG');
