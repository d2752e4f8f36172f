import { TenantValidationError, type FieldProblem } from './tenants.errors';
import { checkMapping } from './tenant-config.validation';
import type { MappingEntry, MappingKind } from './tenants.types';

interface Column {
  name: string;
  /** Into the mapping value; the key column has none. */
  field?: string;
  numeric?: boolean;
}

/** CSV layout per mapping table: first column is the key. */
export const CSV_COLUMNS: Record<MappingKind, Column[]> = {
  'item-product': [{ name: 'fusionItem' }, { name: 'shipbobSku', field: 'shipbobSku' }, { name: 'shipbobProductId', field: 'shipbobProductId', numeric: true }],
  'supplier-fc': [{ name: 'supplier' }, { name: 'fulfillmentCenterId', field: 'fulfillmentCenterId', numeric: true }],
  'ship-to-fc': [{ name: 'shipToLocation' }, { name: 'fulfillmentCenterId', field: 'fulfillmentCenterId', numeric: true }],
  'ship-to-address': [
    { name: 'shipToLocation' },
    { name: 'name', field: 'name' },
    { name: 'address1', field: 'address1' },
    { name: 'address2', field: 'address2' },
    { name: 'city', field: 'city' },
    { name: 'state', field: 'state' },
    { name: 'postalCode', field: 'postalCode' },
    { name: 'country', field: 'country' },
    { name: 'email', field: 'email' },
    { name: 'phone', field: 'phone' },
  ],
  'shipbob-event-rule': [{ name: 'event' }, { name: 'action', field: 'action' }, { name: 'note', field: 'note' }],
};

const MAX_ROWS = 50_000;

/** RFC 4180 records with the 1-based line each starts on; blank lines are skipped. */
export function parseCsv(text: string): Array<{ line: number; cells: string[] }> {
  const out: Array<{ line: number; cells: string[] }> = [];
  let line = 1;
  let i = 0;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < src.length) {
    const startLine = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let inQuotes = false;
    let ended = false;
    while (i < src.length && !ended) {
      const ch = src[i]!;
      if (inQuotes) {
        if (ch === '"' && src[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (ch === '"') {
          inQuotes = false;
          i += 1;
        } else {
          if (ch === '\n') line += 1;
          cell += ch;
          i += 1;
        }
      } else if (ch === '"' && cell === '' && !quoted) {
        inQuotes = true;
        quoted = true;
        i += 1;
      } else if (ch === ',') {
        cells.push(cell);
        cell = '';
        quoted = false;
        i += 1;
      } else if (ch === '\r' || ch === '\n') {
        i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
        line += 1;
        ended = true;
      } else {
        cell += ch;
        i += 1;
      }
    }
    if (inQuotes) throw new TenantValidationError([{ line: startLine, field: 'csv', reason: 'has an unterminated quoted cell' }], 'CSV file');
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '' && !quoted)) out.push({ line: startLine, cells });
  }
  return out;
}

/**
 * Turns a CSV file into mapping entries, all or nothing: any bad row makes it throw TenantValidationError whose
 * problems carry the line number and the column name.
 */
export function csvToMappings(kind: MappingKind, text: string): MappingEntry[] {
  const columns = CSV_COLUMNS[kind];
  const records = parseCsv(text);
  const header = records.shift();
  const expected = columns.map((c) => c.name);
  if (!header) throw new TenantValidationError([{ line: 1, field: 'header', reason: `is missing; expected: ${expected.join(',')}` }], 'CSV file');
  const headerCells = header.cells.map((c) => c.trim());
  const index = new Map<string, number>();
  const problems: FieldProblem[] = [];
  headerCells.forEach((name, i) => {
    if (!expected.includes(name))
      problems.push({ line: header.line, field: name || `column ${i + 1}`, reason: `is not a column of ${kind} (expected: ${expected.join(',')})` });
    else if (index.has(name)) problems.push({ line: header.line, field: name, reason: 'appears twice in the header' });
    else index.set(name, i);
  });
  if (!index.has(expected[0]!)) problems.push({ line: header.line, field: expected[0]!, reason: 'column is required' });
  if (problems.length) throw new TenantValidationError(problems, 'CSV file');
  if (records.length > MAX_ROWS)
    throw new TenantValidationError([{ line: records[MAX_ROWS]!.line, field: 'csv', reason: `has more than ${MAX_ROWS} rows` }], 'CSV file');

  const entries: MappingEntry[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of records) {
    if (cells.length > headerCells.length) problems.push({ line, field: 'csv', reason: `has ${cells.length} cells but the header has ${headerCells.length}` });
    const get = (name: string) => {
      const i = index.get(name);
      return i === undefined ? '' : (cells[i] ?? '');
    };
    const key = get(expected[0]!);
    const value: Record<string, unknown> = {};
    for (const col of columns.slice(1)) {
      const cell = get(col.name);
      if (cell === '') continue;
      if (col.numeric) {
        const n = /^-?\d+$/.test(cell.trim()) ? Number(cell.trim()) : Number.NaN;
        value[col.field!] = Number.isNaN(n) ? cell : n;
      } else value[col.field!] = cell;
    }
    const checked = checkMapping(kind, key, value);
    for (const pr of checked.problems) problems.push({ line, field: pr.field === 'key' ? expected[0]! : pr.field, reason: pr.reason });
    const dup = seen.get(key);
    if (dup !== undefined) problems.push({ line, field: expected[0]!, reason: `repeats the key of line ${dup}` });
    seen.set(key, line);
    if (!checked.problems.length && checked.value) entries.push({ kind, key, value: checked.value });
  }
  if (problems.length) throw new TenantValidationError(problems, 'CSV file');
  return entries;
}

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) || s.trim() !== s ? `"${s.replace(/"/g, '""')}"` : s;
}

export function mappingsToCsv(kind: MappingKind, entries: Array<{ key: string; value: object }>): string {
  const columns = CSV_COLUMNS[kind];
  const lines = [columns.map((c) => c.name).join(',')];
  for (const e of [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const v = e.value as Record<string, unknown>;
    lines.push(columns.map((c) => csvCell(c.field ? v[c.field] : e.key)).join(','));
  }
  return `${lines.join('\n')}\n`;
}
