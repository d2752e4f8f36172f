import { Injectable } from '@nestjs/common';
import {
  counter,
  gauge,
  histogram,
  recordPartnerCall,
  recordRateLimitWait,
  recordTokenRefresh,
  renderPrometheus,
  setOpenExceptions,
  setPollCursorAge,
  timePartnerCall,
} from '@mlc/platform-telemetry';

type Labels = Record<string, string | number | undefined>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}
export interface Gauge {
  set(labels: Labels, value: number): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

/**
 * The service's metrics, over the OpenTelemetry meter: served in the Prometheus text format on GET /metrics and
 * exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. Names are Prometheus-style (`mlc_<what>_<unit>`);
 * a counter shows as `<name>_total`. Instruments are made once per name; labels are free per call (keep their
 * values few: tenant, partner, topic, never an id). The named helpers are the flow metrics every service shares
 * (see libs/platform/service/README.md).
 */
@Injectable()
export class MetricsRegistry {
  counter(name: string, help: string, unit?: string): Counter {
    return counter(name, help, unit);
  }

  gauge(name: string, help: string, unit?: string): Gauge {
    return gauge(name, help, unit);
  }

  /** Buckets default to seconds from 5 ms to 60 s. */
  histogram(name: string, help: string, opts: { unit?: string; buckets?: number[] } = {}): Histogram {
    return histogram(name, help, opts);
  }

  /** Shorthand: add to a counter. */
  inc(name: string, labels: Labels = {}, by = 1, help = ''): void {
    counter(name, help).inc(labels, by);
  }

  /** Shorthand: set a gauge. */
  set(name: string, labels: Labels, value: number, help = ''): void {
    gauge(name, help).set(labels, value);
  }

  readonly partnerCall = recordPartnerCall;
  readonly timePartnerCall = timePartnerCall;
  readonly rateLimitWait = recordRateLimitWait;
  readonly tokenRefresh = recordTokenRefresh;
  readonly pollCursorAge = setPollCursorAge;
  readonly openExceptions = setOpenExceptions;

  /** Everything this process measures, in the Prometheus text exposition format. */
  render(): Promise<string> {
    return renderPrometheus();
  }
}
