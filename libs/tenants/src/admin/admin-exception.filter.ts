import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';
import { TenantValidationError } from '../tenants.errors';

const STATUS: Record<string, number> = {
  'TENANTS.VALIDATION': 400,
  'TENANTS.UNAUTHENTICATED': 401,
  'TENANTS.FORBIDDEN': 403,
  'TENANTS.NOT_FOUND': 404,
  'TENANTS.CONFLICT': 409,
  'TENANTS.PAYLOAD_TOO_LARGE': 413,
  'TENANTS.UNSUPPORTED_MEDIA_TYPE': 415,
};

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/**
 * Maps errors to `{ error: { code, message, problems? } }`. Only AppError messages (written to be log-safe) reach
 * the client; anything else becomes a generic 500 so no stray detail (or secret) leaks.
 */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<HttpResponse>();
    if (err instanceof AppError) {
      const status = STATUS[err.code] ?? (err.code === 'TENANTS.CRYPTO' ? 500 : 400);
      const body: Record<string, unknown> = { code: err.code, message: err.code === 'TENANTS.CRYPTO' ? 'stored credentials could not be decrypted' : err.message };
      if (err instanceof TenantValidationError) body['problems'] = err.problems;
      if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="mlc-admin"');
      res.status(status).json({ error: body });
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
