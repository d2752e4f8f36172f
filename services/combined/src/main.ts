// Combined mode: all six services in ONE Node process (small installs, the demo): same code and configuration as six
// processes, each service on its own HTTP port (PORT=3001 base, or <NAME>_PORT), with its own consumer groups.
// COMBINED_SERVICES=mapper,shipbob-writer boots only those. `npm start -- --combined`; Helm `combined.enabled`.
import './instrument';
import { join } from 'node:path';
import type { BootOptions } from '@mlc/platform-service';
import type { Schema } from '@mlc/platform-config';
import { bootCombined, selectedServices, type CombinedService } from './combined';

/** The export of each service's `services/<name>/src/service.definition.ts`. */
const EXPORTS: Record<CombinedService, string> = {
  'audit-projector': 'auditProjectorService',
  mapper: 'mapperService',
  'shipbob-writer': 'shipbobWriterService',
  'fusion-writer': 'fusionWriterService',
  'oracle-poller': 'oraclePollerService',
  'webhook-gateway': 'webhookGatewayService',
};

/**
 * A service's definition, required by path only when selected (after telemetry started; the built layout is
 * dist/services/<name>/src): the combined entry depends on no service at build time, as services never depend on each other.
 */
function definition(name: CombinedService): BootOptions<Schema> {
  const mod = require(join(__dirname, '..', '..', name, 'src', 'service.definition')) as Record<string, BootOptions<Schema> | undefined>;
  const def = mod[EXPORTS[name]];
  if (!def) throw new Error(`services/${name}/src/service.definition exports no ${EXPORTS[name]}`);
  return def;
}

let services: CombinedService[];
try {
  services = selectedServices(process.env);
} catch (err) {
  process.stderr.write(`combined: ${(err as Error).message}\n`);
  process.exit(1);
}
bootCombined(services.map(definition)).catch((err: unknown) => {
  process.stderr.write(`combined: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
