import { Injectable } from '@nestjs/common';
import type { ConsumerStatus } from '@mlc/platform-kafka';

type Labels = Record<string, string>;
const key = (name: string, labels: Labels) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/"/g, '\\"')}"`).join(',')}}`;

/** A small Prometheus registry: counters and gauges with labels, rendered in the text exposition format. */
@Injectable()
export class MetricsRegistry {
  private readonly counters = new Map<string, number>();
  private readonly gauges = new Map<string, number>();
  private readonly help = new Map<string, string>();

  inc(name: string, labels: Labels = {}, by = 1, help = ''): void {
    if (help) this.help.set(name, help);
    const k = key(name, labels);
    this.counters.set(k, (this.counters.get(k) ?? 0) + by);
  }

  set(name: string, labels: Labels, value: number, help = ''): void {
    if (help) this.help.set(name, help);
    this.gauges.set(key(name, labels), value);
  }

  render(consumers: ConsumerStatus[] = []): string {
    const lines: string[] = [];
    consumers.forEach((c, i) => {
      const l = { consumer: String(i) };
      lines.push(`${key('mlc_consumer_running', l)} ${c.running ? 1 : 0}`);
      lines.push(`${key('mlc_records_handled_total', l)} ${c.handled}`);
      lines.push(`${key('mlc_records_parked_total', l)} ${c.parked}`);
      lines.push(`${key('mlc_records_dead_lettered_total', l)} ${c.deadLettered}`);
      lines.push(`${key('mlc_consumer_restarts_total', l)} ${c.restarts}`);
    });
    for (const [k, v] of this.counters) lines.push(`${k} ${v}`);
    for (const [k, v] of this.gauges) lines.push(`${k} ${v}`);
    const help = [...this.help].map(([n, h]) => `# HELP ${n} ${h}`);
    return `${[...help, ...lines].join('\n')}\n`;
  }
}
