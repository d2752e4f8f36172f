import { Catch } from '@nestjs/common';
import { AppErrorHttpFilter } from '@mlc/platform-service';

const STATUS: Record<string, number> = {
  'TENANTS.VALIDATION': 400,
  'TENANTS.UNAUTHENTICATED': 401,
  'TENANTS.FORBIDDEN': 403,
  'TENANTS.NOT_FOUND': 404,
  'TENANTS.CONFLICT': 409,
  'TENANTS.PAYLOAD_TOO_LARGE': 413,
  'TENANTS.UNSUPPORTED_MEDIA_TYPE': 415,
};

/** { error: { code, message, problems? } } for every failure (see AppErrorHttpFilter). */
@Catch()
export class AdminExceptionFilter extends AppErrorHttpFilter {
  constructor() {
    super({
      statuses: STATUS,
      realm: 'mlc-admin',
      // An unknown tenants code is the caller's; undecryptable credentials are ours, said without detail.
      fallbackStatus: (code) => (code === 'TENANTS.CRYPTO' ? 500 : 400),
      publicMessage: (err, status) =>
        err.code === 'TENANTS.CRYPTO' ? 'stored credentials could not be decrypted' : status >= 500 ? 'internal error' : err.message,
    });
  }
}
