// The V8 settings every launcher gives a service process (`npm start` in tools/stack.ts, the memory benchmark), passed
// as node's own arguments (--optimize-for-size is refused in NODE_OPTIONS; the Helm chart's combined.nodeOptions sets
// the semi-space size only). SERVICE_NODE_OPTIONS replaces them (e.g. "" for V8's defaults).
//
// Why: an idle service keeps ~30-40 MB of live heap, but V8 sizes its young generation for throughput: the semi-spaces
// grow to 16 MB each and are kept committed, ~30 MB of resident memory that only short-lived garbage ever uses
// (measured: mapper idle 151 MB with V8's defaults, 122 MB with 1 MB semi-spaces). Small semi-spaces cost more frequent
// scavenges under load, each a fraction of a millisecond on a heap this size. The old generation is left uncapped: it
// only grows with what is live, and the poller and writers legitimately hold 200-350 MB at peak in the benchmarks.
// --optimize-for-size makes V8 favour memory over speed (smaller heap growth steps, less eager optimised code):
// mapper idle 124 -> 115 MB; an idle or demo stack does not miss the speed (the throughput benchmarks run without it).
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size'];
/** The combined process: six services' allocation rates share one young generation, so a little more of it. */
export const COMBINED_NODE_FLAGS = ['--max-semi-space-size=2', '--optimize-for-size'];
/** The trace viewer holds at most its ring of traces; the same footprint settings as a service. */
export const TRACE_VIEWER_NODE_FLAGS = SERVICE_NODE_FLAGS;

/** The flags to start a service (or the combined process) with: SERVICE_NODE_OPTIONS if set, else the defaults. */
export function serviceNodeFlags(combined = false, env: NodeJS.ProcessEnv = process.env): string[] {
  const own = env['SERVICE_NODE_OPTIONS'];
  if (own !== undefined) return own.split(/\s+/).filter(Boolean);
  return combined ? COMBINED_NODE_FLAGS : SERVICE_NODE_FLAGS;
}
