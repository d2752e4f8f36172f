import type { FieldSpec, ObjectSpec, QuerySpec } from './shipbob-request.schemas';

/** Field path (ASP.NET model-state style: `Recipient.Address.City`, `Products[0].Quantity`) -> messages. */
export type ValidationErrors = Record<string, string[]>;

export interface ValidateOptions {
  /**
   * Unknown body properties and query parameters. Every schema of ShipBob's 2026-01 document says
   * `additionalProperties: false`, but whether the server refuses unknown JSON members (ASP.NET ignores them
   * unless told otherwise) is UNCONFIRMED: 'refuse' (default, the stricter reading) or 'ignore'.
   */
  unknownFields: 'refuse' | 'ignore';
}

/** `reference_id` -> `ReferenceId`, the names ShipBob's validation messages use. */
export function pascal(name: string): string {
  return name
    .split('_')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1) : p))
    .join('');
}

const join = (path: string, name: string): string => (path ? `${path}.${pascal(name)}` : pascal(name));

/** Validates a JSON body against its schema; an empty result means accepted. */
export function validateBody(spec: ObjectSpec, body: unknown, opts: ValidateOptions): ValidationErrors {
  const errors: ValidationErrors = {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    add(errors, '', `A non-empty request body is required (${spec.name}).`);
    return errors;
  }
  checkObject(spec, body as Record<string, unknown>, '', errors, opts);
  return errors;
}

/** Validates query parameters (names matched case-insensitively, as ASP.NET binds them). */
export function validateQuery(spec: QuerySpec | undefined, query: URLSearchParams, opts: ValidateOptions): ValidationErrors {
  const errors: ValidationErrors = {};
  const byLower = new Map(Object.entries(spec ?? {}).map(([k, v]) => [k.toLowerCase(), [k, v] as const]));
  for (const [name, value] of query) {
    const known = byLower.get(name.toLowerCase());
    if (!known) {
      if (opts.unknownFields === 'refuse') add(errors, name, `The query parameter '${name}' is not defined for this operation.`);
      continue;
    }
    const [canonical, field] = known;
    const message = checkQueryValue(field, value);
    if (message) add(errors, canonical, message);
  }
  return errors;
}

function checkQueryValue(f: FieldSpec, value: string): string | undefined {
  switch (f.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(value)) return `The value '${value}' is not valid.`;
      const n = Number(value);
      if ((f.minimum !== undefined && n < f.minimum) || (f.maximum !== undefined && n > f.maximum))
        return `The value must be between ${f.minimum ?? '-'} and ${f.maximum ?? '-'}.`;
      return undefined;
    }
    case 'boolean':
      return /^(true|false)$/i.test(value) ? undefined : `The value '${value}' is not valid.`;
    default:
      if (f.format === 'date-time' && Number.isNaN(Date.parse(value))) return `The value '${value}' is not valid.`;
      if (f.enum && !f.enum.includes(value)) return `The value '${value}' is not valid; expected one of ${f.enum.join(', ')}.`;
      return undefined;
  }
}

function checkObject(spec: ObjectSpec, o: Record<string, unknown>, path: string, errors: ValidationErrors, opts: ValidateOptions): void {
  for (const name of spec.required) {
    if (!(name in o) || o[name] === undefined || (o[name] === null && !spec.properties[name]?.nullable))
      add(errors, join(path, name), `The ${pascal(name)} field is required.`);
  }
  for (const [name, value] of Object.entries(o)) {
    const field = spec.properties[name];
    if (!field) {
      if (opts.unknownFields === 'refuse') add(errors, join(path, name), `Could not find member '${name}' on object of type '${spec.name}'.`);
      continue;
    }
    checkField(field, value, join(path, name), errors, opts);
  }
}

function checkField(f: FieldSpec, v: unknown, path: string, errors: ValidationErrors, opts: ValidateOptions): void {
  if (v === null) {
    if (!f.nullable) add(errors, path, `The ${lastName(path)} field is required.`);
    return;
  }
  switch (f.type) {
    case 'string': {
      if (typeof v !== 'string') return add(errors, path, `The value is not a valid string.`);
      if (f.minLength !== undefined && v.length < f.minLength)
        return add(
          errors,
          path,
          f.minLength === 1 ? `The ${lastName(path)} field is required.` : `The field ${lastName(path)} must have at least ${f.minLength} characters.`,
        );
      if (f.maxLength !== undefined && v.length > f.maxLength)
        return add(errors, path, `The field ${lastName(path)} must be a string with a maximum length of ${f.maxLength}.`);
      if (f.enum && !f.enum.includes(v)) return add(errors, path, `The value '${v}' is not valid for ${lastName(path)}; expected one of ${f.enum.join(', ')}.`);
      if (f.pattern && !f.pattern.test(v)) return add(errors, path, `The field ${lastName(path)} must match the regular expression '${f.pattern.source}'.`);
      if (f.format === 'date-time' && (Number.isNaN(Date.parse(v)) || !/^\d{4}-\d{2}-\d{2}/.test(v)))
        return add(errors, path, `The value '${v}' is not a valid date-time.`);
      if (f.format === 'uri' && !isUri(v)) return add(errors, path, `The ${lastName(path)} field is not a valid fully-qualified URL.`);
      if (f.format === 'email' && !/^[^@\s]+@[^@\s]+$/.test(v)) return add(errors, path, `The ${lastName(path)} field is not a valid e-mail address.`);
      return;
    }
    case 'integer':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v) || (f.type === 'integer' && !Number.isInteger(v)))
        return add(errors, path, `The value is not a valid ${f.type === 'integer' ? 'integer' : 'number'}.`);
      if ((f.minimum !== undefined && v < f.minimum) || (f.maximum !== undefined && v > f.maximum))
        return add(errors, path, `The field ${lastName(path)} must be between ${f.minimum ?? '-'} and ${f.maximum ?? '-'}.`);
      return;
    }
    case 'boolean':
      if (typeof v !== 'boolean') add(errors, path, `The value is not a valid boolean.`);
      return;
    case 'array': {
      if (!Array.isArray(v)) return add(errors, path, `The value is not a valid array.`);
      if (f.minItems !== undefined && v.length < f.minItems) return add(errors, path, `The field ${lastName(path)} must have at least ${f.minItems} item(s).`);
      v.forEach((item, i) => checkField(f.items!, item, `${path}[${i}]`, errors, opts));
      return;
    }
    case 'object': {
      if (typeof v !== 'object' || Array.isArray(v)) return add(errors, path, `The value is not a valid object.`);
      const o = v as Record<string, unknown>;
      checkObject(f.object ?? pickOneOf(f.oneOf ?? [], o), o, path, errors, opts);
      return;
    }
  }
}

/** The first `oneOf` schema that declares every key present (else the first): how a body chooses its model. */
function pickOneOf(options: readonly ObjectSpec[], o: Record<string, unknown>): ObjectSpec {
  const keys = Object.keys(o);
  return (
    options.find((s) => keys.every((k) => k in s.properties) && s.required.every((r) => r in o)) ??
    options.find((s) => keys.every((k) => k in s.properties)) ??
    options[0]!
  );
}

function isUri(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function lastName(path: string): string {
  return path
    .split('.')
    .at(-1)!
    .replace(/\[\d+\]$/, '');
}

function add(errors: ValidationErrors, key: string, message: string): void {
  (errors[key] ??= []).push(message);
}
