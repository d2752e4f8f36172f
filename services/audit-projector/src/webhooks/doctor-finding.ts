/** One check of `mlc doctor` (part C unifies this with its own definition). */
export interface DoctorFinding {
  check: string;
  partner: 'fusion' | 'shipbob' | 'shopify' | 'mlc';
  status: 'ok' | 'fail' | 'warn' | 'skipped';
  message: string;
  /** The exact command (or step) that fixes it. */
  fix?: string;
}
