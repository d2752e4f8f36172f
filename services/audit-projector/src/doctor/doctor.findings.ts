import { AppError } from '@mlc/platform-errors';
import type { DoctorFinding, DoctorPartner } from './doctor.types';

/** Builds findings for one partner. */
export function findings(partner: DoctorPartner) {
  const ok = (check: string, message: string): DoctorFinding => ({ check, partner, status: 'ok', message });
  const fail = (check: string, message: string, fix: string): DoctorFinding => ({ check, partner, status: 'fail', message, fix });
  const skipped = (check: string, message: string): DoctorFinding => ({ check, partner, status: 'skipped', message });
  return {
    ok,
    fail,
    /** The partner's webhook secrets: how many are stored, or (none) `missing` says what fails and `fix` how to store one. */
    webhookSecrets: (count: number, missing: string, fix: string): DoctorFinding =>
      count ? ok(`${partner}.webhookSecret`, `${count} webhook secret(s) stored`) : fail(`${partner}.webhookSecret`, missing, fix),
    warn: (check: string, message: string, fix?: string): DoctorFinding => ({ check, partner, status: 'warn', message, ...(fix ? { fix } : {}) }),
    skipped,
    /** No connection to the partner: the failed connection check (`fix` sets one up), then the `skips` that need one. */
    noConnection: (label: string, fix: string, skips: string[] = []): DoctorFinding[] => [
      fail(`${partner}.connection`, `no ${label} connection is configured`, fix),
      ...skips.map((check) => skipped(check, `not checked: needs a ${label} connection`)),
    ],
  };
}

/** A value as one shell word: bare when safe, else double-quoted. */
export function sh(v: string | number): string {
  const s = String(v);
  return /^[\w.,@:/+=-]+$/.test(s) ? s : `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** The HTTP status a partner client error carries, if any. */
export function statusOf(err: unknown): number | undefined {
  const s = err instanceof AppError ? err.details['status'] : undefined;
  return typeof s === 'number' ? s : undefined;
}

/** A client error as a short log-safe phrase: code and message. */
export function describe(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Refused for credentials (401) or privilege (403)? */
export function refusal(err: unknown): 'auth' | 'forbidden' | undefined {
  const code = err instanceof AppError ? err.code : '';
  const status = statusOf(err);
  if (status === 403 || /\.(FORBIDDEN|ACCESS_DENIED)$/.test(code)) return 'forbidden';
  if (status === 401 || /\.(AUTH|UNAUTHORIZED)$/.test(code)) return 'auth';
  return undefined;
}

/** `a, b, c (+N more)` */
export function listed(values: readonly string[], max = 12): string {
  if (!values.length) return '(none)';
  return values.length > max ? `${values.slice(0, max).join(', ')} (+${values.length - max} more)` : values.join(', ');
}
