import type { SeedInput } from './shipbob.sandbox';

/** A PAT that the standalone sandbox accepts, printed at start-up. */
export const DEMO_PAT = 'sbpat_demo_mlconnector_0000000000000000000000';
export const DEMO_CHANNEL_ID = 1000;

/** Demo data: one channel with every write scope, two fulfillment centers, a few SKUs, an OAuth app. */
export const DEMO_SEED: SeedInput = {
  channel: { id: DEMO_CHANNEL_ID, name: 'ML Connector', application_name: 'SMA' },
  pat: DEMO_PAT,
  fulfillmentCenters: [
    {
      id: 10,
      name: 'Cicero (IL)',
      abbreviation: 'CIC',
      timezone: 'Central Standard Time',
      address: { address1: '5900 W Ogden Ave', city: 'Cicero', state: 'IL', country: 'US', zip_code: '60804' },
    },
    {
      id: 11,
      name: 'Moreno Valley (CA)',
      abbreviation: 'MOV',
      timezone: 'Pacific Standard Time',
      address: { address1: '17800 Perris Blvd', city: 'Moreno Valley', state: 'CA', country: 'US', zip_code: '92551' },
    },
  ],
  products: [
    { sku: 'ML-1001', name: 'Widget, small', on_hand_qty: 120 },
    { sku: 'ML-1002', name: 'Widget, large', on_hand_qty: 40 },
    { sku: 'ML-2001', name: 'Gadget kit', on_hand_qty: 15 },
  ],
  oauthClients: [{ client_id: 'mlc-demo-client', client_secret: 'mlc-demo-secret', redirect_uris: ['http://127.0.0.1/callback'] }],
};
