import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';

const STATUS: Record<string, number> = {
  'OPS.VALIDATION': 400,
  'TENANTS.UNAUTHENTICATED': 401,
  'TENANTS.FORBIDDEN': 403,
  'OPS.FORBIDDEN': 403,
  'OPS.NOT_FOUND': 404,
  'OPS.CONFLICT': 409,
  'OPS.GROUP_ACTIVE': 409,
  'OPS.UPSTREAM': 502,
  'OPS.UNAVAILABLE': 503,
};

export const badRequest = (message: string, details?: Record<string, unknown>) => new AppError('OPS.VALIDATION', message, { details });
export const notFound = (message: string) => new AppError('OPS.NOT_FOUND', message);
export const forbidden = (message: string) => new AppError('OPS.FORBIDDEN', message);

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/** `{ error: { code, message } }` for every failure; only AppError messages (log-safe) reach the client. */
@Catch()
export class OpsExceptionFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<HttpResponse>();
    if (err instanceof AppError) {
      const status = STATUS[err.code] ?? 500;
      if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="mlc-ops"');
      res.status(status).json({ error: { code: err.code, message: status === 500 ? 'internal error' : err.message } });
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
