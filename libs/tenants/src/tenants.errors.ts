import { AppError } from '@mlc/platform-errors';

/** One wrong field: `field` is a path into the input ('auth.clientSecret', 'webhookSecrets[1]'), never its value. */
export interface FieldProblem {
  field: string;
  reason: string;
  /** CSV imports: the 1-based line of the file (the header is line 1). */
  line?: number;
}

export class TenantValidationError extends AppError {
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[], what = 'tenant configuration') {
    const first = problems[0];
    const summary = first ? `${first.line !== undefined ? `line ${first.line}: ` : ''}${first.field} ${first.reason}` : 'invalid';
    super('TENANTS.VALIDATION', `Invalid ${what}: ${summary}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`, {
      details: { problems },
    });
    this.problems = problems;
  }
}

export class TenantNotFoundError extends AppError {
  constructor(what: string, details: Record<string, unknown>) {
    super('TENANTS.NOT_FOUND', `${what} not found`, { details });
  }
}

export class TenantConflictError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('TENANTS.CONFLICT', message, { details });
  }
}

export class TenantCryptoError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('TENANTS.CRYPTO', message, { details });
  }
}
