// The V8 settings every launcher gives a service process (`npm start` in tools/stack.ts, the memory and poller
// benchmarks), passed as node's own arguments (--heap-growing-percent is refused in NODE_OPTIONS; the Helm chart's
// combined.nodeOptions sets the semi-space size only). SERVICE_NODE_OPTIONS replaces them (e.g. "" for V8's defaults).
//
// Why: an idle service keeps ~30-40 MB of live heap, but V8 sizes its young generation for throughput: the semi-spaces
// grow to 16 MB each and are kept committed, ~30 MB of resident memory that only short-lived garbage ever uses
// (measured: mapper idle 151 MB with V8's defaults, 122 MB with 1 MB semi-spaces). And V8 lets the old generation grow
// well past what is live before a major GC: polling 100 000 POs with V8's defaults peaked at 303 MB RSS (heap 182 MB,
// 49 MB of it live).
// --heap-growing-percent=80 bounds that growth (heap peak 84 MB, RSS 192 MB over 100 000 POs) and 4 MB semi-spaces
// keep scavenges few, without --optimize-for-size: that flag (used until 2026-12) made V8 keep hot code less optimised,
// and the poller then spent 1.05 ms of CPU per PO (1 160 POs/s) instead of 0.48 (1 760 POs/s); measured with the
// poller benchmark, same build, same machine, one after the other. Idle RSS was lower too (107-111 MB a service).
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=80'];
/** The combined process: the same settings (six services' allocation rates share one young generation). */
export const COMBINED_NODE_FLAGS = SERVICE_NODE_FLAGS;
/** The trace viewer holds at most its ring of traces; the same footprint settings as a service. */
export const TRACE_VIEWER_NODE_FLAGS = SERVICE_NODE_FLAGS;

/** The flags to start a service (or the combined process) with: SERVICE_NODE_OPTIONS if set, else the defaults. */
export function serviceNodeFlags(combined = false, env: NodeJS.ProcessEnv = process.env): string[] {
  const own = env['SERVICE_NODE_OPTIONS'];
  if (own !== undefined) return own.split(/\s+/).filter(Boolean);
  return combined ? COMBINED_NODE_FLAGS : SERVICE_NODE_FLAGS;
}
