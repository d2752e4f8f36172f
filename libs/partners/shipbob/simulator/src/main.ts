import { ShipbobSandbox } from './shipbob.sandbox';
import { DEMO_SEED } from './shipbob-demo.fixtures';

/** Runs the ShipBob sandbox standalone: `node dist/libs/partners/shipbob/simulator/src/main.js`. */
async function main(): Promise<void> {
  const port = Number(process.env['SHIPBOB_SANDBOX_PORT'] ?? 4020);
  const timeScale = Number(process.env['SHIPBOB_SANDBOX_WEBHOOK_TIME_SCALE'] ?? 60);
  // Retries come fast (time-scaled) but a receiver gets ShipBob's real answer timeout.
  // Each start is a new run: fresh order/shipment ids and webhook ids (a seed of its own), never repeating a previous
  // run's that the connector remembers (SHIPBOB_SANDBOX_RUN pins it).
  const run = Number(process.env['SHIPBOB_SANDBOX_RUN'] ?? Math.floor(Date.now() / 1000) % 100_000);
  // Request checks: the stricter readings unless told otherwise (see README, switches).
  const unknownFields = process.env['SHIPBOB_SANDBOX_UNKNOWN_FIELDS'] === 'ignore' ? 'ignore' : 'refuse';
  const productName = process.env['SHIPBOB_SANDBOX_PRODUCT_NAME'] === 'to-create' ? 'to-create' : 'always';
  const trackingMovesOrderLastUpdate = process.env['SHIPBOB_SANDBOX_TRACKING_MOVES_ORDER_UPDATE'] === 'true';
  const duplicateWebhookSubscriptions = process.env['SHIPBOB_SANDBOX_DUPLICATE_WEBHOOK_SUBSCRIPTIONS'] === 'allow' ? 'allow' : 'refuse';
  const sandbox = new ShipbobSandbox({
    webhookTimeScale: timeScale,
    webhookMinTimeoutMs: 5_000,
    run,
    seed: run + 7,
    unknownFields,
    productName,
    trackingMovesOrderLastUpdate,
    duplicateWebhookSubscriptions,
  });
  const seeded = sandbox.seedData(DEMO_SEED);
  const url = await sandbox.listen(port);
  process.stdout.write(
    `ShipBob sandbox listening on ${url}\n` +
      `  API:        ${url}/2026-01/...   (shipbob_channel_id: ${seeded.channel.id})\n` +
      `  demo PAT:   ${seeded.pat}\n` +
      `  OAuth app:  client_id=mlc-demo-client client_secret=mlc-demo-secret\n` +
      `  admin:      ${url}/__admin/state, ${url}/__admin/requests\n` +
      `  requests:   unknownFields=${unknownFields} productName=${productName} (SHIPBOB_SANDBOX_UNKNOWN_FIELDS, SHIPBOB_SANDBOX_PRODUCT_NAME)\n` +
      `  GET /order: trackingMovesOrderLastUpdate=${trackingMovesOrderLastUpdate} (SHIPBOB_SANDBOX_TRACKING_MOVES_ORDER_UPDATE)\n` +
      `  POST /webhook: duplicateWebhookSubscriptions=${duplicateWebhookSubscriptions} (SHIPBOB_SANDBOX_DUPLICATE_WEBHOOK_SUBSCRIPTIONS)\n`,
  );
  const stop = (): void => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
