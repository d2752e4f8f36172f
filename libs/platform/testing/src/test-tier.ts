/**
 * `npm run test:unit` runs every spec except *.integration.spec.ts and *.e2e.spec.ts, with MLC_TEST_TIER=unit and
 * nothing started. A spec of that tier reaching for Kafka, PostgreSQL or a service process is misnamed: it fails at
 * once with this message instead of hanging on a connection.
 */
export function needsIntegrationTier(what: string): void {
  if (process.env['MLC_TEST_TIER'] === 'unit') {
    throw new Error(`this spec needs ${what}, which the unit tier (npm run test:unit) does not start: name it *.integration.spec.ts`);
  }
}
