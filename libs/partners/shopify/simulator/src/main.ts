import { ShopifySandbox } from './shopify.sandbox';

/** Runs the Shopify sandbox standalone with demo data: `SHOPIFY_SANDBOX_PORT` (default 4030). */
async function main(): Promise<void> {
  const port = Number(process.env['SHOPIFY_SANDBOX_PORT'] ?? 4030);
  // Retries come fast (time-scaled) but the gateway gets Shopify's real 5 s to answer.
  // Each start is a fresh shop run: ids never repeat those of a previous run the connector's database remembers.
  const run = Number(process.env['SHOPIFY_SANDBOX_RUN'] ?? Math.floor(Date.now() / 1000) % 100_000);
  const sandbox = new ShopifySandbox({ seed: 42, run, timeScale: 60, webhookMinTimeoutMs: 5_000 });
  sandbox.seedData({ customers: 6, orders: 10 });
  const token = sandbox.issueToken({ expiresInSec: null });
  const url = await sandbox.listen(port);
  process.stdout.write(
    `Shopify sandbox listening on ${url}\n` +
      `  shop ${sandbox.shopDomain}, client_id ${sandbox.clientId}, client_secret ${sandbox.clientSecret}\n` +
      `  demo access token ${token.access_token}\n` +
      `  GraphQL ${url}/admin/api/2026-10/graphql.json · admin ${url}/__admin/orders\n`,
  );
  const stop = (): void => void sandbox.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
