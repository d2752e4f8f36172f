/** parseArgs options for flags of one type, by name: `{ ...stringFlags('tenant', 'entity') }`. */
export function stringFlags<const N extends string>(...names: N[]): { [K in N]: { type: 'string' } } {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as { [K in N]: { type: 'string' } };
}

export function booleanFlags<const N extends string>(...names: N[]): { [K in N]: { type: 'boolean' } } {
  return Object.fromEntries(names.map((n) => [n, { type: 'boolean' }])) as { [K in N]: { type: 'boolean' } };
}
