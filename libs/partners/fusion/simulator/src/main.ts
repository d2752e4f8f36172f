import { FusionSandbox } from './fusion.sandbox';

/** Runs the Fusion sandbox standalone on FUSION_SANDBOX_PORT (default 4010) with a demo data set. */
async function main(): Promise<void> {
  const port = Number(process.env['FUSION_SANDBOX_PORT'] ?? 4010);
  // Each start is a fresh pod: a new numbering run, so POs never reuse the ids of a previous run that the connector's
  // database remembers (FUSION_SANDBOX_RUN pins it).
  const run = Number(process.env['FUSION_SANDBOX_RUN'] ?? Math.floor(Date.now() / 1000) % 100_000);
  // Receipts and ASNs stay PENDING this long before the receiving processor handles them (a real pod takes a while).
  const receiptProcessingDelayMs = Number(process.env['FUSION_SANDBOX_RECEIPT_PROCESSING_MS'] ?? 3000);
  const sandbox = new FusionSandbox({ seed: Number(process.env['FUSION_SANDBOX_SEED'] ?? 1), run, receiptProcessingDelayMs });
  sandbox.seedPurchaseOrders({
    count: 12,
    // A restarted sandbox is a new pod whose history must still be newer than the poller's stored cursor (less its
    // 2-minute overlap): 5 s apart, the twelve POs lie within the last minute.
    historySpacingMs: 5_000,
    suppliers: ['Acme Components', 'Globex Textiles', 'Initech Packaging'],
    locations: [
      // Their POs carry Oracle's one-line ShipToLocationAddress, e.g. `5100 Tech Ct, Reno, NV 89502, Washoe, United States`.
      {
        LocationCode: 'SHIPBOB-RENO',
        OrganizationCode: 'RNO',
        AddressLine1: '5100 Tech Ct',
        TownOrCity: 'Reno',
        Region2: 'NV',
        PostalCode: '89502',
        County: 'Washoe',
        Country: 'US',
      },
      {
        LocationCode: 'SHIPBOB-DALLAS',
        OrganizationCode: 'DAL',
        AddressLine1: '2400 Logistics Pkwy',
        TownOrCity: 'Dallas',
        Region2: 'TX',
        PostalCode: '75201-4321',
        County: 'Dallas',
        Country: 'US',
      },
    ],
    items: ['SKU-TSHIRT-M', 'SKU-HOODIE-L', 'SKU-CAP', 'SKU-MUG'],
  });
  // The demo tenant's guest customer account (settings.accounting.guestCustomerAccountNumber): guest orders bill it.
  const guest = sandbox.receivables.seedCustomerAccount({
    accountNumber: process.env['FUSION_SANDBOX_GUEST_ACCOUNT'] ?? 'GUEST-0001',
    name: 'Shopify Guest Customers',
    address: { Address1: '1 Demo Way', City: 'Ottawa', State: 'ON', PostalCode: 'K1A 0A1', Country: 'CA' },
  });
  const url = await sandbox.listen(port);
  const o = sandbox.options;
  process.stdout.write(
    `${url}\n` +
      `  token:  POST ${url}/oauth2/v1/token (client ${o.clientId} / ${o.clientSecret}, scope ${o.scope})\n` +
      `  basic:  ${o.basicUser} / ${o.basicPassword}\n` +
      `  admin:  ${url}/__admin/written, ${url}/__admin/purchase-orders, ${url}/__admin/customer-accounts\n` +
      `  guest customer account: ${guest.AccountNumber}\n` +
      `  receipts/ASNs processed ${receiptProcessingDelayMs} ms after their POST (FUSION_SANDBOX_RECEIPT_PROCESSING_MS)\n`,
  );
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
