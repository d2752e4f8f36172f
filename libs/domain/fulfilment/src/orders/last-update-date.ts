/**
 * Whether Fusion LastUpdateDate `a` is strictly before `b`, compared as instants (they may carry different offsets);
 * values that do not parse compare as text.
 */
export function isOlderLastUpdate(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isFinite(ta) && Number.isFinite(tb) ? ta < tb : a < b;
}
