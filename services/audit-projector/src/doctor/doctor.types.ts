export type DoctorPartner = 'fusion' | 'shipbob' | 'shopify' | 'mlc';
export type DoctorStatus = 'ok' | 'fail' | 'warn' | 'skipped';

/** One checked prerequisite. `fix` is a concrete command or setting; every `fail` has one. Never holds a secret. */
export interface DoctorFinding {
  check: string;
  partner: DoctorPartner;
  status: DoctorStatus;
  message: string;
  fix?: string;
}

export interface DoctorReport {
  tenantId: string;
  /** No finding is a `fail`. */
  ok: boolean;
  checkedAt: string;
  findings: DoctorFinding[];
}

/**
 * Extra checks plugged into the doctor (e.g. the webhook subscriptions check), provided under DOCTOR_CHECK_PROVIDERS
 * as a list. A provider that throws becomes one `warn` finding naming it.
 */
export interface DoctorCheckProvider {
  name: string;
  run(tenantId: string): Promise<DoctorFinding[]>;
}

/** Injection token: `DoctorCheckProvider[]` (see doctor.module.ts for how to add one). */
export const DOCTOR_CHECK_PROVIDERS = Symbol('DOCTOR_CHECK_PROVIDERS');
