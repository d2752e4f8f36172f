import { metrics, type Attributes, type Meter, type MeterProvider } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider as SdkMeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';

const METER_NAME = 'ml-connector';

/** The in-process reader behind every service's GET /metrics (no server of its own: the service's HTTP port serves it). */
const prometheus = new PrometheusExporter({ preventServerStart: true });
const serializer = new PrometheusSerializer('', false, undefined, true, true);
let localProvider: SdkMeterProvider | undefined;
let registered = false;

/**
 * The metric readers a service's meter provider gets: Prometheus (scraped through GET /metrics) always, OTLP/HTTP
 * (JSON) to `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/metrics` every OTEL_METRIC_EXPORT_INTERVAL ms (default 15 s) when set.
 */
export function metricReaders(env: NodeJS.ProcessEnv = process.env): IMetricReader[] {
  if (registered) return [];
  registered = true;
  const readers: IMetricReader[] = [prometheus];
  const endpoint =
    env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'] ??
    (env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? `${env['OTEL_EXPORTER_OTLP_ENDPOINT'].replace(/\/$/, '')}/v1/metrics` : undefined);
  if (endpoint) {
    const interval = Number(env['OTEL_METRIC_EXPORT_INTERVAL'] ?? 15_000);
    // Required only when metrics are exported (~1 MB of heap otherwise spent for nothing).
    const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: endpoint }),
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(interval, 10_000),
      }),
    );
  }
  return readers;
}

/** The meter provider: the SDK's once startTelemetry ran, else (unit tests, tools) a local one feeding /metrics only. */
function provider(): MeterProvider {
  if (!registered) {
    localProvider = new SdkMeterProvider({ readers: metricReaders({}) });
    metrics.setGlobalMeterProvider(localProvider);
  }
  return metrics.getMeterProvider();
}

/** The meter every ml-connector metric is made with. */
export function mlcMeter(): Meter {
  return provider().getMeter(METER_NAME);
}

/** Every metric of this process in the Prometheus text exposition format (what GET /metrics answers). */
export async function renderPrometheus(): Promise<string> {
  provider();
  const { resourceMetrics, errors } = await prometheus.collect();
  const text = serializer.serialize(resourceMetrics);
  return errors.length ? `${text}# collection errors: ${errors.length}\n` : text;
}

/** The content type of renderPrometheus' output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Attributes;
const counters = new Map<string, ReturnType<Meter['createCounter']>>();
const histograms = new Map<string, ReturnType<Meter['createHistogram']>>();
const gauges = new Map<string, ReturnType<Meter['createGauge']>>();

/** A counter by name (made once, reused): Prometheus shows it as `<name>_total`. */
export function counter(name: string, help = '', unit?: string): { inc(labels?: Labels, by?: number): void } {
  let c = counters.get(name);
  if (!c) counters.set(name, (c = mlcMeter().createCounter(name, { description: help, unit })));
  const inst = c;
  return { inc: (labels = {}, by = 1) => inst.add(by, clean(labels)) };
}

/** A gauge by name (last value set wins, per label set). */
export function gauge(name: string, help = '', unit?: string): { set(labels: Labels, value: number): void } {
  let g = gauges.get(name);
  if (!g) gauges.set(name, (g = mlcMeter().createGauge(name, { description: help, unit })));
  const inst = g;
  return { set: (labels, value) => inst.record(value, clean(labels)) };
}

/** Bucket bounds in seconds for calls and handlers: 5 ms to 60 s. */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A histogram by name (`<name>_bucket`, `_sum`, `_count`). */
export function histogram(name: string, help = '', opts: { unit?: string; buckets?: number[] } = {}): { observe(labels: Labels, value: number): void } {
  let h = histograms.get(name);
  if (!h)
    histograms.set(
      name,
      (h = mlcMeter().createHistogram(name, { description: help, unit: opts.unit, advice: { explicitBucketBoundaries: opts.buckets ?? DURATION_BUCKETS_S } })),
    );
  const inst = h;
  return { observe: (labels, value) => inst.record(value, clean(labels)) };
}

/** Drops undefined/null labels (Prometheus has no "absent" value; an empty label is the same as none). */
function clean(labels: Labels): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}
