import { Catch } from '@nestjs/common';
import { AppErrorHttpFilter } from '@mlc/platform-service';
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

/** { error: { code, message, problems? } } for every failure (see AppErrorHttpFilter). */
@Catch()
export class OpsExceptionFilter extends AppErrorHttpFilter {
  constructor() {
    super({ statuses: STATUS, realm: 'mlc-ops' });
  }
}
