import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { LOGGER } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { WebhookError } from './webhook.errors';

/** The one place webhook failures become HTTP answers: `{ error: <code>, message }` with the code's status. */
@Catch()
export class WebhookExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    let status = 500;
    let body: Record<string, unknown> = { error: 'WEBHOOK.INTERNAL', message: 'internal error' };
    if (err instanceof WebhookError) {
      status = err.status;
      body = { error: err.code, message: err.message };
      if (status >= 500) this.log.warn('webhook not accepted', { code: err.code, message: err.message });
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
    if (status === 503) headers['retry-after'] = '5';
    if (status === 413) headers['connection'] = 'close';
    res.writeHead(status, headers).end(text);
  }
}
