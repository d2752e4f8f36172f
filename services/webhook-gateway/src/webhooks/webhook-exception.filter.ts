import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOGGER, MetricsRegistry } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { WebhookError } from './webhook.errors';

/**
 * How a webhook failure is answered: `{ error: <code>, message }` with the code's status (503: Retry-After; 413: the
 * connection is closed). Every refusal is logged and counted (`mlc_webhooks_refused_total{partner,code}`); a foreign
 * shop's delivery (403) is logged as a warning, since it means a secret is shared with another shop or a URL was given
 * to the wrong one. Used by the raw fast path (WebhookFastPath) and by Nest's route (WebhookExceptionFilter).
 */
export function answerWebhookFailure(err: unknown, partner: string, res: ServerResponse, log: Logger, metrics: MetricsRegistry): number {
  let status = 500;
  let body: Record<string, unknown> = { error: 'WEBHOOK.INTERNAL', message: 'internal error' };
  if (err instanceof WebhookError) {
    status = err.status;
    body = { error: err.code, message: err.message };
    metrics.inc('mlc_webhooks_refused_total', { partner, code: err.code }, 1, 'webhook deliveries refused, by partner and error code');
    if (status >= 500) log.warn('webhook not accepted', { code: err.code, message: err.message });
    else if (status === 403) log.warn('webhook refused', { code: err.code, message: err.message, details: err.details });
    else log.info('webhook rejected', { code: err.code, message: err.message, details: err.details });
  } else if (err instanceof HttpException) {
    status = err.getStatus();
    body = { error: `HTTP.${status}`, message: err.message };
  } else {
    log.error('webhook failed', { error: err instanceof Error ? err.message : String(err) });
  }
  if (res.headersSent) {
    res.end();
    return status;
  }
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  if (status === 503) headers['retry-after'] = String(Math.max(1, Math.ceil((err instanceof WebhookError ? (err.retryAfterMs ?? 5_000) : 5_000) / 1_000)));
  if (status === 413) headers['connection'] = 'close';
  res.writeHead(status, headers).end(text);
  return status;
}

/** The partner of a webhook URL (`/webhooks/<partner>/...`), `unknown` otherwise. */
export function partnerOfUrl(url: string | undefined): string {
  return /^\/webhooks\/([a-z]+)\//.exec(url ?? '')?.[1] ?? 'unknown';
}

/** Nest's route's failures, answered as the fast path answers them (answerWebhookFailure). */
@Catch()
export class WebhookExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: MetricsRegistry,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    answerWebhookFailure(err, partnerOfUrl(http.getRequest<IncomingMessage>().url), http.getResponse<ServerResponse>(), this.log, this.metrics);
  }
}
