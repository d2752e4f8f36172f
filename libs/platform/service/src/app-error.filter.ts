import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AppError } from '@mlc/platform-errors';

/** How one HTTP API answers errors: the status of each AppError code, and the realm of its 401 challenge. */
export interface AppErrorHttpMapping {
  statuses: Record<string, number>;
  realm: string;
  /** Status of a code not in `statuses` (default 500). */
  fallbackStatus?: (code: string) => number;
  /** The message a client may read for a status (default: the AppError's own message, "internal error" for a 500). */
  publicMessage?: (err: AppError, status: number) => string;
}

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/**
 * Maps every failure to `{ error: { code, message, problems? } }`. Only AppError messages (written to be log-safe)
 * reach the client, with the field problems of a validation error (`details.problems`); a Nest HttpException keeps its
 * status; anything else is a bare 500, so no stray detail (or secret) leaks. Each API subclasses it with its mapping.
 */
@Catch()
export class AppErrorHttpFilter implements ExceptionFilter {
  constructor(private readonly mapping: AppErrorHttpMapping) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<HttpResponse>();
    if (err instanceof AppError) {
      const status = this.mapping.statuses[err.code] ?? this.mapping.fallbackStatus?.(err.code) ?? 500;
      const message = this.mapping.publicMessage?.(err, status) ?? (status >= 500 ? 'internal error' : err.message);
      const problems = (err.details as { problems?: unknown } | undefined)?.problems;
      if (status === 401) res.setHeader('www-authenticate', `Bearer realm="${this.mapping.realm}"`);
      res.status(status).json({ error: { code: err.code, message, ...(Array.isArray(problems) ? { problems } : {}) } });
      return;
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      res.status(status).json({
        error: { code: `HTTP.${status}`, message: status >= 500 ? 'internal error' : status === 400 ? 'the request body could not be parsed' : err.message },
      });
      return;
    }
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  }
}
