import { FusionFault } from './fusion-fault';
import { parseOrderByKeys, parseQueryByExample, parseRowMatch, type AttrType } from './fusion-query';

/** One simulated ADF REST resource: its scalar attributes, its item key and its child accessors. */
export interface ResourceDef<T> {
  name: string;
  /** Attribute types for `q` and `orderBy` (and, without `fields`, what `fields` may select). */
  attrs: Record<string, AttrType>;
  /** What `fields` may select: the GET page's response attributes (fusion-schemas.ts RESPONSE_FIELDS). */
  fields?: readonly string[];
  key(rec: T): string;
  scalars(rec: T): Record<string, unknown>;
  /**
   * Attributes whose value in `scalars(rec)` is `rec[attr]` itself: a collection GET whose `q` and `orderBy` name only
   * these filters and sorts the records as they are, and builds the rows of the page only (not of every record).
   */
  direct?: ReadonlySet<string>;
  changeIndicator?(rec: T): string;
  children?: Record<string, ChildDef<T>>;
}

export interface ChildDef<P> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  def: ResourceDef<any>;
  list(parent: P): unknown[];
}

/** Which children to expand below a node: a map per accessor, or every child at every level. */
export type ExpandTree = Map<string, ExpandTree> | 'all';

export interface FieldSpec {
  attrs?: Set<string>;
  children: Map<string, FieldSpec>;
}

export interface RenderOptions {
  /** The collection URL the item lives in, e.g. `<base>/purchaseOrders` or `<item>/child/lines`. */
  href: string;
  version: number;
  onlyData: boolean;
  expand: ExpandTree;
  fields?: FieldSpec;
}

export const DEFAULT_LIMIT = 25;

function childTree(tree: ExpandTree, name: string): ExpandTree | undefined {
  return tree === 'all' ? 'all' : tree.get(name);
}

/** `expand=all` or `expand=lines,lines.schedules`; an unknown accessor gives 400. */
export function parseExpand(spec: string | null, def: ResourceDef<unknown>): ExpandTree {
  if (!spec) return new Map();
  if (spec.trim().toLowerCase() === 'all') return 'all';
  const root = new Map<string, ExpandTree>();
  for (const path of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let node = root;
    let d: ResourceDef<unknown> | undefined = def;
    for (const name of path.split('.')) {
      const child: ChildDef<unknown> | undefined = d?.children?.[name];
      if (!child) throw new FusionFault(400, `The child ${name} in expand=${spec} is not a valid accessor of ${d?.name}`);
      if (!node.has(name)) node.set(name, new Map());
      node = node.get(name) as Map<string, ExpandTree>;
      d = child.def;
    }
  }
  return root;
}

/** `fields=A,B;lines:X,Y;lines.schedules:Z`; unknown attributes or accessors give 400. */
export function parseFields(spec: string | null, def: ResourceDef<unknown>): FieldSpec | undefined {
  if (!spec) return undefined;
  const root: FieldSpec = { children: new Map() };
  for (const seg of spec
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const colon = seg.indexOf(':');
    const path = colon >= 0 ? seg.slice(0, colon).split('.') : [];
    const list = (colon >= 0 ? seg.slice(colon + 1) : seg)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    let node = root;
    let d: ResourceDef<unknown> = def;
    for (const name of path) {
      const child: ChildDef<unknown> | undefined = d.children?.[name];
      if (!child) throw new FusionFault(400, `The child ${name} in fields is not a valid accessor of ${d.name}`);
      if (!node.children.has(name)) node.children.set(name, { children: new Map() });
      node = node.children.get(name)!;
      d = child.def;
    }
    const selectable = d.fields ?? Object.keys(d.attrs);
    for (const a of list) {
      if (!selectable.includes(a)) throw new FusionFault(400, `The attribute ${a} is not defined in resource ${d.name}.`);
    }
    node.attrs = new Set([...(node.attrs ?? []), ...list]);
  }
  return root;
}

export function collectionObject(
  items: unknown[],
  href: string,
  name: string,
  extra: { limit: number; offset: number; hasMore: boolean; totalResults?: number },
): Record<string, unknown> {
  return {
    items,
    ...(extra.totalResults === undefined ? {} : { totalResults: extra.totalResults }),
    count: items.length,
    hasMore: extra.hasMore,
    limit: extra.limit,
    offset: extra.offset,
    links: [{ rel: 'self', href, name, kind: 'collection' }],
  };
}

/** Renders one item with its links and expanded children (v3+: children as collection objects, else arrays). */
export function renderItem<T>(def: ResourceDef<T>, rec: T, opts: RenderOptions): Record<string, unknown> {
  const all = def.scalars(rec);
  const out: Record<string, unknown> = {};
  const pick = opts.fields?.attrs;
  for (const [k, v] of Object.entries(all)) if (!pick || pick.has(k)) out[k] = v;
  const selfHref = `${opts.href}/${encodeURIComponent(def.key(rec))}`;
  for (const [name, child] of Object.entries(def.children ?? {})) {
    const sub = opts.fields ? opts.fields.children.get(name) : undefined;
    const tree = opts.fields ? (sub ? new Map() : undefined) : childTree(opts.expand, name);
    if (!tree && !sub) continue;
    const childHref = `${selfHref}/child/${name}`;
    const items = child.list(rec).map((c) => renderItem(child.def, c, { ...opts, href: childHref, expand: tree ?? new Map(), fields: sub }));
    out[name] =
      opts.version >= 3 ? collectionObject(items, childHref, name, { limit: Math.max(DEFAULT_LIMIT, items.length), offset: 0, hasMore: false }) : items;
  }
  if (!opts.onlyData) {
    const props = def.changeIndicator ? { properties: { changeIndicator: def.changeIndicator(rec) } } : {};
    out['links'] = [
      { rel: 'self', href: selfHref, name: def.name, kind: 'item', ...props },
      { rel: 'canonical', href: selfHref, name: def.name, kind: 'item' },
      ...Object.keys(def.children ?? {}).map((name) => ({
        rel: 'child',
        href: `${selfHref}/child/${name}`,
        name,
        kind: 'collection',
      })),
    ];
  }
  return out;
}

export interface CollectionQuery {
  query: URLSearchParams;
  version: number;
  pageCap: number;
  /** true: a limit above the cap is a 400; false: it is clamped to the cap. */
  rejectOverCap: boolean;
  /** The attributes `q` may name (fusion-schemas.ts QUERYABLE + switches); absent: every typed attribute. */
  queryable?: ReadonlySet<string>;
}

/** The typed attributes `q` may use: the queryable ones (typed as strings when the def does not type them). */
function queryAttrs(def: ResourceDef<unknown>, queryable: ReadonlySet<string> | undefined): Record<string, AttrType> {
  if (!queryable) return def.attrs;
  return Object.fromEntries([...queryable].map((a) => [a, def.attrs[a] ?? 'string']));
}

function intParam(query: URLSearchParams, name: string, fallback: number, min: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new FusionFault(400, `The ${name} parameter must be an integer >= ${min}: ${raw}`);
  return Number(raw);
}

/** GET on a collection: q (row-match from v2, query-by-example before), orderBy, limit/offset, fields, expand, onlyData, totalResults. */
export function renderCollection<T>(def: ResourceDef<T>, records: readonly T[], href: string, cq: CollectionQuery): Record<string, unknown> {
  const { query, version } = cq;
  if (query.get('finder')) throw new FusionFault(400, `The finder ${query.get('finder')} is not supported by this simulator`);
  const q = query.get('q');
  // The attributes q and orderBy read: when all are `direct`, the records are filtered and sorted as they are.
  const used = new Set<string>();
  const attrs = queryAttrs(def as ResourceDef<unknown>, cq.queryable);
  const pred = q === null ? undefined : version >= 2 ? parseRowMatch(q, attrs, def.name, used) : parseQueryByExample(q, attrs, def.name, used);
  const orderBy = query.get('orderBy');
  const order = orderBy ? parseOrderByKeys(orderBy, def.attrs) : undefined;
  for (const a of order?.attrs ?? []) used.add(a);
  const direct = def.direct;
  const rowOf = direct && [...used].every((a) => direct.has(a)) ? (r: T) => r as Record<string, unknown> : (r: T) => def.scalars(r);
  const rows = records.map((r) => ({ rec: r, row: rowOf(r) }));
  let selected = rows;
  if (pred) selected = rows.filter((r) => pred(r.row));
  if (order) {
    // Keys computed once per row (datetimes parsed once, not at every comparison); the sort is stable, as before.
    const keyed = selected.map((r) => ({ r, keys: order.keysOf(r.row) }));
    keyed.sort((a, b) => order.compareKeys(a.keys, b.keys));
    selected = keyed.map((k) => k.r);
  }
  let limit = intParam(query, 'limit', DEFAULT_LIMIT, 1);
  if (limit > cq.pageCap) {
    if (cq.rejectOverCap) throw new FusionFault(400, `The limit ${limit} exceeds the maximum of ${cq.pageCap}`);
    limit = cq.pageCap;
  }
  const offset = intParam(query, 'offset', 0, 0);
  const page = selected.slice(offset, offset + limit);
  const opts: RenderOptions = {
    href,
    version,
    onlyData: query.get('onlyData') === 'true',
    expand: parseExpand(query.get('expand'), def as ResourceDef<unknown>),
    fields: parseFields(query.get('fields'), def as ResourceDef<unknown>),
  };
  return collectionObject(
    page.map((r) => renderItem(def, r.rec, opts)),
    href,
    def.name,
    {
      limit,
      offset,
      hasMore: offset + page.length < selected.length,
      totalResults: query.get('totalResults') === 'true' ? selected.length : undefined,
    },
  );
}

/** GET on one item: fields, expand, onlyData. */
export function renderSingle<T>(def: ResourceDef<T>, rec: T, href: string, query: URLSearchParams, version: number): Record<string, unknown> {
  return renderItem(def, rec, {
    href,
    version,
    onlyData: query.get('onlyData') === 'true',
    expand: parseExpand(query.get('expand'), def as ResourceDef<unknown>),
    fields: parseFields(query.get('fields'), def as ResourceDef<unknown>),
  });
}
