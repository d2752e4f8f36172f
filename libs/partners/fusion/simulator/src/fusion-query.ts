import { FusionFault } from './fusion-fault';

/** How the simulator types an attribute for `q` and `orderBy`. */
export type AttrType = 'string' | 'number' | 'datetime' | 'date';

export type Predicate = (row: Record<string, unknown>) => boolean;

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'op'; text: string }
  | { kind: 'punct'; text: '(' | ')' | ',' | ';' };

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses a datetime literal in one of the formats the reference lists ('YYYY-MM-DD' and
 * 'YYYY-MM-DDTHH:MM:SS[.sss][Z|±hh:mm]'; no zone means UTC). Returns epoch-ms or undefined when it is not one.
 */
export function parseFusionDateLiteral(text: string): number | undefined {
  // Pure, and asked for the same stored dates on every filter and every comparison of a sort: remembered (bounded).
  const known = PARSED_DATES.get(text);
  if (known !== undefined || PARSED_DATES.has(text)) return known;
  const ms = parseDateLiteral(text);
  if (PARSED_DATES.size >= PARSED_DATES_MAX) PARSED_DATES.clear();
  PARSED_DATES.set(text, ms);
  return ms;
}

const PARSED_DATES = new Map<string, number | undefined>();
const PARSED_DATES_MAX = 200_000;

function parseDateLiteral(text: string): number | undefined {
  const d = DATE_ONLY.exec(text);
  if (d) {
    const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    return new Date(ms).toISOString().startsWith(text) ? ms : undefined;
  }
  const t = DATE_TIME.exec(text);
  if (!t) return undefined;
  const frac = t[7] ? t[7].slice(0, 4).padEnd(4, '0') : '.000';
  const iso = `${t[1]}-${t[2]}-${t[3]}T${t[4]}:${t[5]}:${t[6]}${frac}${t[8] ?? 'Z'}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || Number(t[2]) > 12 || Number(t[3]) > 31 || Number(t[4]) > 23) return undefined;
  return ms;
}

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new FusionFault(400, `Unterminated string literal in q: ${q}`);
        if (q[i] === "'") {
          if (q[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += q[i++];
      }
      out.push({ kind: 'string', text });
    } else if (/[0-9-]/.test(c) && /[0-9]/.test(q[i + 1] ?? c)) {
      const m = /^-?\d+(\.\d+)?/.exec(q.slice(i))!;
      out.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(q.slice(i))!;
      out.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else if ('<>=!'.includes(c)) {
      const two = q.slice(i, i + 2);
      const op = ['>=', '<=', '<>', '!='].includes(two) ? two : c;
      if (op === '!') throw new FusionFault(400, `Invalid operator in q near position ${i}`);
      out.push({ kind: 'op', text: op });
      i += op.length;
    } else if ('(),;'.includes(c)) {
      out.push({ kind: 'punct', text: c as '(' | ')' | ',' | ';' });
      i++;
    } else {
      throw new FusionFault(400, `Unexpected character '${c}' in q at position ${i}`);
    }
  }
  return out;
}

function compare(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Turns a row value into something comparable for its attribute type (datetimes as epoch-ms). */
function rowValue(type: AttrType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'datetime' || type === 'date') return typeof v === 'string' ? (parseFusionDateLiteral(v) ?? Date.parse(v)) : v;
  return v;
}

function literalValue(attr: string, type: AttrType, tok: Token | undefined): unknown {
  if (!tok || (tok.kind !== 'string' && tok.kind !== 'number' && tok.kind !== 'ident')) {
    throw new FusionFault(400, `A value is expected after the attribute ${attr} in q`);
  }
  if (type === 'datetime' || type === 'date') {
    const ms = tok.kind === 'string' ? parseFusionDateLiteral(tok.text) : undefined;
    if (ms === undefined) throw new FusionFault(400, `The value ${tok.text} of attribute ${attr} is not a valid date literal`);
    return ms;
  }
  if (type === 'number') {
    const n = Number(tok.text);
    if (tok.text === '' || Number.isNaN(n)) throw new FusionFault(400, `The value ${tok.text} of attribute ${attr} is not a number`);
    return n;
  }
  if (tok.kind === 'ident') throw new FusionFault(400, `String literals must be quoted in q: ${tok.text}`);
  return tok.text;
}

/** A `q` on an attribute the resource does not let you query: 400 naming the queryable ones. */
function notQueryable(attr: string, attrs: Record<string, AttrType>, resource: string | undefined): FusionFault {
  const where = resource ? ` in resource ${resource}` : '';
  return new FusionFault(400, `The attribute ${attr} is not queryable${where}. Queryable attributes: ${Object.keys(attrs).sort().join(', ')}.`);
}

const OPS: Record<string, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '!=': (c) => c !== 0,
  '>': (c) => c > 0,
  '<': (c) => c < 0,
  '>=': (c) => c >= 0,
  '<=': (c) => c <= 0,
};

/**
 * The REST Framework v2+ `q` (a row-match expression): `= > < >= <= <> != in between like is [not] null`, `and`,
 * `or`, `;` (and), parentheses and `upper(Attr)`. Unknown attributes, bad literals and syntax errors give 400.
 */
export function parseRowMatch(q: string, attrs: Record<string, AttrType>, resource?: string, used?: Set<string>): Predicate {
  const toks = tokenize(q);
  let pos = 0;
  const peek = () => toks[pos];
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'ident' && t.text.toLowerCase() === w;
  const expect = (text: string) => {
    const t = toks[pos++];
    if (!t || t.text !== text) throw new FusionFault(400, `Expected '${text}' in q: ${q}`);
  };

  const condition = (): Predicate => {
    let t = toks[pos++];
    let upper = false;
    if (isWord(t, 'upper') && peek()?.text === '(') {
      pos++;
      t = toks[pos++];
      expect(')');
      upper = true;
    }
    if (!t || t.kind !== 'ident') throw new FusionFault(400, `An attribute name is expected in q: ${q}`);
    const attr = t.text;
    const type = attrs[attr];
    if (!type) throw notQueryable(attr, attrs, resource);
    used?.add(attr);
    const get = (row: Record<string, unknown>) => {
      const v = rowValue(type, row[attr]);
      return upper && typeof v === 'string' ? v.toUpperCase() : v;
    };
    const next = peek();
    if (isWord(next, 'is')) {
      pos++;
      const not = isWord(peek(), 'not');
      if (not) pos++;
      if (!isWord(toks[pos++], 'null')) throw new FusionFault(400, `Expected 'null' after 'is' in q: ${q}`);
      return (row) => (get(row) === null) !== not;
    }
    if (isWord(next, 'in')) {
      pos++;
      expect('(');
      const values: unknown[] = [];
      for (;;) {
        values.push(literalValue(attr, type, toks[pos++]));
        const sep = toks[pos++];
        if (sep?.text === ')') break;
        if (sep?.text !== ',') throw new FusionFault(400, `Expected ',' or ')' in the in-list of q: ${q}`);
      }
      return (row) => values.some((v) => compare(get(row), v) === 0);
    }
    if (isWord(next, 'between')) {
      pos++;
      const lo = literalValue(attr, type, toks[pos++]);
      if (!isWord(toks[pos++], 'and')) throw new FusionFault(400, `Expected 'and' in between of q: ${q}`);
      const hi = literalValue(attr, type, toks[pos++]);
      return (row) => compare(get(row), lo) >= 0 && compare(get(row), hi) <= 0;
    }
    if (isWord(next, 'like')) {
      pos++;
      const pattern = String(literalValue(attr, 'string', toks[pos++]));
      const re = new RegExp(
        `^${pattern
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')
          .replace(/\*/g, '.*')}$`,
      );
      return (row) => re.test(String(get(row) ?? ''));
    }
    if (next?.kind !== 'op') throw new FusionFault(400, `An operator is expected after ${attr} in q: ${q}`);
    pos++;
    const test = OPS[next.text]!;
    const value = literalValue(attr, type, toks[pos++]);
    return (row) => {
      const v = get(row);
      return v !== null && test(compare(v, value));
    };
  };

  const primary = (): Predicate => {
    if (peek()?.text === '(') {
      pos++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (isWord(peek(), 'not')) {
      pos++;
      const inner = primary();
      return (row) => !inner(row);
    }
    return condition();
  };
  const andExpr = (): Predicate => {
    const parts = [primary()];
    while (isWord(peek(), 'and') || peek()?.text === ';') {
      pos++;
      parts.push(primary());
    }
    return (row) => parts.every((p) => p(row));
  };
  function orExpr(): Predicate {
    const parts = [andExpr()];
    while (isWord(peek(), 'or')) {
      pos++;
      parts.push(andExpr());
    }
    return (row) => parts.some((p) => p(row));
  }

  if (!toks.length) throw new FusionFault(400, 'The q parameter is empty');
  const pred = orExpr();
  if (pos !== toks.length) throw new FusionFault(400, `Unexpected '${toks[pos]?.text}' in q: ${q}`);
  return pred;
}

/**
 * REST Framework v1 query-by-example: `Attr<op>value` conditions joined by `;`, values quoted or bare.
 * Row-match keywords (and/or/in/between/is null) are not understood here and give 400.
 */
export function parseQueryByExample(q: string, attrs: Record<string, AttrType>, resource?: string, used?: Set<string>): Predicate {
  const parts = q.split(';').map((p) => p.trim());
  const preds = parts.map((part): Predicate => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|<>|!=|=|>|<)\s*(.+)$/.exec(part);
    if (!m) throw new FusionFault(400, `Invalid query-by-example condition: ${part}`);
    const [, attr, op, raw] = m as unknown as [string, string, string, string];
    const type = attrs[attr];
    if (!type) throw notQueryable(attr, attrs, resource);
    used?.add(attr);
    const text = raw.startsWith("'") && raw.endsWith("'") && raw.length > 1 ? raw.slice(1, -1) : raw;
    if (/\s(and|or)\s/i.test(text)) throw new FusionFault(400, `Invalid query-by-example value: ${raw}`);
    const value = literalValue(attr, type, type === 'number' ? { kind: 'number', text } : { kind: 'string', text });
    const test = OPS[op]!;
    return (row) => {
      const v = rowValue(type, row[attr]);
      return v !== null && test(compare(v, value));
    };
  });
  return (row) => preds.every((p) => p(row));
}

/** `orderBy=Attr:asc,Other:desc`; unknown attributes or directions give 400. */
export function parseOrderBy(spec: string, attrs: Record<string, AttrType>): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  const order = parseOrderByKeys(spec, attrs);
  return (a, b) => order.compareKeys(order.keysOf(a), order.keysOf(b));
}

/**
 * parseOrderBy as sort keys: `keysOf(row)` once per row (a datetime parsed once, not at every comparison of a sort),
 * `compareKeys` between two rows' keys: sorting by them orders rows exactly as parseOrderBy's comparator does.
 */
export function parseOrderByKeys(
  spec: string,
  attrs: Record<string, AttrType>,
): { attrs: string[]; keysOf(row: Record<string, unknown>): unknown[]; compareKeys(a: unknown[], b: unknown[]): number } {
  const keys = spec.split(',').map((s) => {
    const [attr = '', dir = 'asc', ...rest] = s.trim().split(':');
    const type = attrs[attr];
    if (!type || rest.length || !['asc', 'desc'].includes(dir.toLowerCase())) {
      throw new FusionFault(400, `Invalid orderBy clause: ${s}`);
    }
    return { attr, type, sign: dir.toLowerCase() === 'desc' ? -1 : 1 };
  });
  return {
    attrs: keys.map((k) => k.attr),
    keysOf: (row) => keys.map((k) => rowValue(k.type, row[k.attr])),
    compareKeys: (a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const c = compare(a[i], b[i]);
        if (c !== 0) return c * keys[i]!.sign;
      }
      return 0;
    },
  };
}
