// Preloaded into a service process by the benchmarks (NODE_OPTIONS=--require <this file>, BENCH_HEAP_FILE=<path>):
// every 100 ms writes the process's heap figures to BENCH_HEAP_FILE, including the largest heap seen and the
// largest heap left right after a major (mark-compact) GC, i.e. what the process really retains. No effect otherwise.
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface HeapFigures {
  at: number;
  heapUsed: number;
  rss: number;
  maxHeapUsed: number;
  /** Largest heapUsed measured right after a major GC (0 until one ran). */
  maxHeapAfterMajorGc: number;
  majorGcs: number;
}

const file = process.env['BENCH_HEAP_FILE'];
if (file) {
  const figures: HeapFigures = { at: 0, heapUsed: 0, rss: 0, maxHeapUsed: 0, maxHeapAfterMajorGc: 0, majorGcs: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    figures.at = Date.now();
    figures.heapUsed = m.heapUsed;
    figures.rss = m.rss;
    figures.maxHeapUsed = Math.max(figures.maxHeapUsed, m.heapUsed);
  };
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      figures.majorGcs++;
      figures.maxHeapAfterMajorGc = Math.max(figures.maxHeapAfterMajorGc, process.memoryUsage().heapUsed);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  setInterval(() => {
    sample();
    try {
      writeFileSync(file, JSON.stringify(figures));
    } catch {
      // the benchmark removed its directory: nothing to report to any more
    }
  }, 100).unref();
}
