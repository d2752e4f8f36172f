import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOGGER, MetricsRegistry } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { WebhookError } from './webhook.errors';

/**
 * The one place webhook failures become HTTP answers: `{ error: <code>, message }` with the code's status. Every
 * refusal is logged and counted (`mlc_webhooks_refused_total{partner,code}`); a foreign shop's delivery (403) is
 * logged as a warning, since it means a secret is shared with another shop or a URL was given to the wrong one.
 */
@Catch()
export class WebhookExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: MetricsRegistry,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<ServerResponse>();
    let status = 500;
    let body: Record<string, unknown> = { error: 'WEBHOOK.INTERNAL', message: 'internal error' };
    if (err instanceof WebhookError) {
      status = err.status;
      body = { error: err.code, message: err.message };
      const partner = /^\/webhooks\/([a-z]+)\//.exec(http.getRequest<IncomingMessage>().url ?? '')?.[1] ?? 'unknown';
      this.metrics.inc('mlc_webhooks_refused_total', { partner, code: err.code }, 1, 'webhook deliveries refused, by partner and error code');
      if (status >= 500) this.log.warn('webhook not accepted', { code: err.code, message: err.message });
      else if (status === 403) this.log.warn('webhook refused', { code: err.code, message: err.message, details: err.details });
      else this.log.info('webhook rejected', { code: err.code, message: err.message, details: err.details });
    } else if (err instanceof HttpException) {
      status = err.getStatus();
      body = { error: `HTTP.${status}`, message: err.message };
    } else {
      this.log.error('webhook failed', { error: err instanceof Error ? err.message : String(err) });
    }
    if (res.headersSent) return void res.end();
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
    if (status === 503) headers['retry-after'] = String(Math.max(1, Math.ceil((err instanceof WebhookError ? (err.retryAfterMs ?? 5_000) : 5_000) / 1_000)));
    if (status === 413) headers['connection'] = 'close';
    res.writeHead(status, headers).end(text);
  }
}
