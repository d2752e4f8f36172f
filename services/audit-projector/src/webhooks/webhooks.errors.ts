import { Catch } from '@nestjs/common';
import { AppErrorHttpFilter } from '@mlc/platform-service';
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

/** { error: { code, message, problems? } } for every failure (see AppErrorHttpFilter). */
@Catch()
export class WebhooksExceptionFilter extends AppErrorHttpFilter {
  constructor() {
    super({ statuses: STATUS, realm: 'mlc-admin' });
  }
}
