import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';

const STATUS: Record<string, number> = {
  'WEBHOOKS.VALIDATION': 400,
  'TENANTS.VALIDATION': 400,
  'TENANTS.UNAUTHENTICATED': 401,
  'TENANTS.FORBIDDEN': 403,
  'WEBHOOKS.FORBIDDEN': 403,
  'TENANTS.NOT_FOUND': 404,
  'TENANT.NO_CONNECTION': 404,
  'TENANTS.CONFLICT': 409,
  'WEBHOOKS.PARTNER': 502,
};

export const webhooksBadRequest = (message: string) => new AppError('WEBHOOKS.VALIDATION', message);
export const webhooksForbidden = (message: string) => new AppError('WEBHOOKS.FORBIDDEN', message);
/** The partner refused or could not be reached; the message names the partner's answer (never a secret). */
export const partnerFailed = (message: string, cause?: unknown) => new AppError('WEBHOOKS.PARTNER', message, { cause });

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/** `{ error: { code, message } }` like the rest of the admin API; only AppError messages (log-safe) reach the client. */
@Catch()
export class WebhooksExceptionFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<HttpResponse>();
    if (err instanceof AppError) {
      const status = STATUS[err.code] ?? 500;
      if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="mlc-admin"');
      const problems = (err.details as { problems?: unknown } | undefined)?.problems;
      res.status(status).json({ error: { code: err.code, message: status === 500 ? 'internal error' : err.message, ...(Array.isArray(problems) ? { problems } : {}) } });
      return;
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      res.status(status).json({ error: { code: `HTTP.${status}`, message: status >= 500 ? 'internal error' : status === 400 ? 'the request body could not be parsed' : err.message } });
      return;
    }
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  }
}
