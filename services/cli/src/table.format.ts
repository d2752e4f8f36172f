/** Column-aligned plain-text table (no colours, safe for pipes). */
export function formatTable(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  if (!rows.length) return '(none)\n';
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const grid = [cols.map((c) => c.toUpperCase()), ...rows.map((r) => cols.map((c) => cell(r[c])))];
  const widths = cols.map((_, i) => Math.max(...grid.map((line) => line[i]!.length)));
  return `${grid
    .map((line) =>
      line
        .map((v, i) => (i === line.length - 1 ? v : v.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** Two-column key/value listing for one object. */
export function formatRecord(obj: Record<string, unknown>): string {
  return formatTable(
    Object.entries(obj).map(([field, value]) => ({ field, value })),
    ['field', 'value'],
  );
}
