// Generates libs/contracts/src/generated/ from schemas/: the catalogue of every schema version (fully
// expanded, with its CRC-64-AVRO fingerprint), TypeScript types for each version, and the topic registry.
// Types are never written by hand. Run by every build; output is git-ignored.
//
// Published schemas are immutable. schemas/fingerprints.lock.json holds, for every record version, the fingerprint
// of the schema as it is written on the wire and the version of every named type inlined into it (EventMeta), so an
// old version keeps the EventMeta it was published with when a newer EventMeta appears. `npm run gen -- --lock`
// appends the versions not yet locked and never rewrites an entry; libs/contracts/src/fingerprints-lock.spec.ts fails
// on any locked fingerprint that changed and on any version missing from the lock.
// The functions below are exported for that spec; the generation runs only when this file is the entry point.
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const avro = require('avsc');

export const LOCK_COMMAND = 'npm run gen -- --lock';

/** A problem in schemas/ that stops generation (the CLI prints it and exits 1). */
export class SchemaError extends Error {}

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.avsc') ? [p] : [];
  });
}

/** Every `<domain>/<kebab-name>.v<N>.avsc` under schemasDir; `file` is relative to schemasDir's parent ("schemas/..."). */
export function loadSchemas(schemasDir) {
  const base = dirname(schemasDir);
  return walk(schemasDir).map((file) => {
    const m = /\.v(\d+)\.avsc$/.exec(file);
    if (!m) throw new SchemaError(`${relative(base, file)}: file name must end in .v<N>.avsc`);
    let schema;
    try {
      schema = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new SchemaError(`${relative(base, file)}: not JSON (${e.message})`);
    }
    const fullName = `${schema.namespace}.${schema.name}`;
    return { file: relative(base, file), version: Number(m[1]), schema, fullName };
  });
}

export function readLock(lockPath) {
  if (!existsSync(lockPath)) return { schemas: {} };
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  return { ...lock, schemas: lock.schemas ?? {} };
}

const lockEntry = (lock, fullName, version) => lock.schemas[fullName]?.[String(version)];

/**
 * Expands every record version: named types referenced across files (e.g. mlc.common.EventMeta) are inlined in the
 * version the lock pins for that record version (what it was published with), else (a version not locked yet) in
 * their newest version.
 */
export function buildCatalogue(files, lock) {
  const byName = new Map();
  for (const f of files) {
    const versions = byName.get(f.fullName) ?? new Map();
    if (versions.has(f.version)) throw new SchemaError(`${f.file}: ${f.fullName} v${f.version} is defined twice (also ${versions.get(f.version).file})`);
    versions.set(f.version, f);
    byName.set(f.fullName, versions);
  }
  const newest = (name) => Math.max(...byName.get(name).keys());
  return files
    .filter((f) => f.schema.type === 'record')
    .map((f) => {
      const pins = lockEntry(lock, f.fullName, f.version)?.inlines ?? {};
      const inlines = {};
      const expand = (node, seen) => {
        if (typeof node === 'string') {
          if (node.includes('.') && byName.has(node) && !seen.has(node)) {
            seen.add(node);
            const version = pins[node] ?? newest(node);
            const inlined = byName.get(node).get(version);
            if (!inlined) throw new SchemaError(`${f.file}: the lock pins ${node} v${version}, which has no schema file`);
            inlines[node] = version;
            // 'x-version' (ignored by Avro) lets the type generator name an inlined record by its own version.
            return { ...expand(inlined.schema, seen), 'x-version': version };
          }
          return node;
        }
        if (Array.isArray(node)) return node.map((n) => expand(n, seen));
        if (node && typeof node === 'object') {
          const out = { ...node };
          if (out.type === 'record') out.fields = out.fields.map((fl) => ({ ...fl, type: expand(fl.type, seen) }));
          else if (out.type === 'array') out.items = expand(out.items, seen);
          else if (out.type === 'map') out.values = expand(out.values, seen);
          else if (typeof out.type === 'object' || typeof out.type === 'string') out.type = expand(out.type, seen);
          return out;
        }
        return node;
      };
      const expanded = expand(f.schema, new Set([f.fullName]));
      try {
        avro.Type.forSchema(expanded, { wrapUnions: false });
      } catch (e) {
        throw new SchemaError(`${f.file}: invalid Avro schema (${e.message})`);
      }
      return { ...f, expanded, inlines };
    })
    .sort((a, b) => a.fullName.localeCompare(b.fullName) || a.version - b.version);
}

// CRC-64-AVRO, as libs/contracts/src/crc64-avro.ts (the spec checks both agree through the lock).
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp & MASK;
});

/** The fingerprint (hex, wire byte order) of an expanded schema, computed as AvroCodec does before writing it. */
export function wireFingerprint(expanded) {
  const canonical = Buffer.from(JSON.stringify(avro.Type.forSchema(expanded, { wrapUnions: false }).schema()));
  let fp = EMPTY;
  for (const b of canonical) fp = ((fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)]) & MASK;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp);
  return out.toString('hex');
}

/**
 * Compares the catalogue with the lock. `changed`: locked versions whose wire schema is no longer what was published;
 * `missing`: versions not locked yet; `removed`: locked versions whose schema file is gone.
 */
export function compareWithLock(catalogue, lock) {
  const changed = [];
  const missing = [];
  const present = new Set();
  for (const c of catalogue) {
    present.add(`${c.fullName}@${c.version}`);
    const entry = lockEntry(lock, c.fullName, c.version);
    const fingerprint = wireFingerprint(c.expanded);
    if (!entry) missing.push({ fullName: c.fullName, version: c.version, file: c.file, fingerprint, inlines: c.inlines });
    else if (entry.fingerprint !== fingerprint)
      changed.push({ fullName: c.fullName, version: c.version, file: c.file, locked: entry.fingerprint, now: fingerprint });
  }
  const removed = Object.entries(lock.schemas).flatMap(([fullName, versions]) =>
    Object.keys(versions)
      .filter((v) => !present.has(`${fullName}@${v}`))
      .map((v) => ({ fullName, version: Number(v), file: versions[v].file })),
  );
  return { changed, missing, removed };
}

/** One line per problem, for people: which schema, old vs new fingerprint, what to do. */
export function describeLockProblems({ changed, missing, removed }) {
  return [
    ...changed.map(
      (c) =>
        `${c.fullName} v${c.version} (${c.file}): fingerprint ${c.locked} in the lock, ${c.now} now; published schemas are immutable: add a new version (v${c.version + 1}) instead of editing this one`,
    ),
    ...removed.map(
      (r) =>
        `${r.fullName} v${r.version} (${r.file}) is in the lock but its schema is gone; published schemas are immutable: records in the log still carry its fingerprint`,
    ),
    ...missing.map(
      (m) =>
        `${m.fullName} v${m.version} (${m.file}) is not in schemas/fingerprints.lock.json: lock new versions with \`${LOCK_COMMAND}\` (appends, never rewrites an entry)`,
    ),
  ];
}

/**
 * The lock with the missing versions appended (entries sorted by name and version, existing entries untouched).
 * Refuses (SchemaError) when a locked version changed or disappeared: that is a schema to put back, not to re-lock.
 */
export function appendToLock(catalogue, lock) {
  const result = compareWithLock(catalogue, lock);
  if (result.changed.length || result.removed.length) {
    throw new SchemaError(`the lock is never rewritten; fix these first:\n${describeLockProblems({ ...result, missing: [] }).join('\n')}`);
  }
  const schemas = structuredClone(lock.schemas);
  for (const m of result.missing) {
    schemas[m.fullName] ??= {};
    schemas[m.fullName][String(m.version)] = { file: m.file, fingerprint: m.fingerprint, inlines: m.inlines };
  }
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((name) => [
        name,
        Object.fromEntries(
          Object.keys(schemas[name])
            .sort((a, b) => Number(a) - Number(b))
            .map((v) => [v, schemas[name][v]]),
        ),
      ]),
  );
  return { lock: { ...LOCK_HEADER, ...lock, schemas: sorted }, added: result.missing };
}

const LOCK_HEADER = {
  about:
    'Fingerprint (CRC-64-AVRO of the schema as written on the wire, hex in wire byte order) of every published record version, and the version of each named type inlined into it. Published schemas are immutable: add a new version. Append new versions with `npm run gen -- --lock`; never edit an entry.',
};

export const formatLock = (lock) => `${JSON.stringify(lock, null, 2)}\n`;

const pascal = (s) => s.replace(/(^|[-_.])(\w)/g, (_, __, c) => c.toUpperCase());
function tsType(t, defs, suffix) {
  if (typeof t === 'string') {
    switch (t) {
      case 'null':
        return 'null';
      case 'boolean':
        return 'boolean';
      case 'int':
      case 'long':
      case 'float':
      case 'double':
        return 'number';
      case 'bytes':
        return 'Buffer';
      case 'string':
        return 'string';
      default:
        return pascal(t.split('.').pop()) + suffix;
    }
  }
  if (Array.isArray(t)) return t.map((x) => tsType(x, defs, suffix)).join(' | ');
  switch (t.type) {
    case 'record': {
      if (t['x-version']) suffix = `V${t['x-version']}`;
      const name = pascal(t.name) + suffix;
      if (!defs.has(name)) {
        defs.set(name, '');
        const fields = t.fields
          .map((f) => {
            const doc = f.doc ? `  /** ${f.doc.replace(/\*\//g, '* /')} */\n` : '';
            const opt = f.default !== undefined ? '?' : '';
            return `${doc}  ${f.name}${opt}: ${tsType(f.type, defs, suffix)};`;
          })
          .join('\n');
        defs.set(name, `${t.doc ? `/** ${t.doc.replace(/\*\//g, '* /')} */\n` : ''}export interface ${name} {\n${fields}\n}`);
      }
      return name;
    }
    case 'enum': {
      const name = pascal(t.name) + suffix;
      defs.set(name, `export type ${name} = ${t.symbols.map((s) => JSON.stringify(s)).join(' | ')};`);
      return name;
    }
    case 'array':
      return `Array<${tsType(t.items, defs, suffix)}>`;
    case 'map':
      return `Record<string, ${tsType(t.values, defs, suffix)}>`;
    case 'fixed':
      return 'Buffer';
    default:
      return tsType(t.type, defs, suffix);
  }
}

function generate(catalogue, outDir) {
  const defs = new Map();
  const latest = new Map();
  for (const c of catalogue) {
    tsType(c.expanded, defs, `V${c.version}`);
    const cur = latest.get(c.fullName);
    if (!cur || cur.version < c.version) latest.set(c.fullName, c);
  }
  const aliases = [...latest.values()].map(
    (c) =>
      `/** Newest version of ${c.fullName} (v${c.version}): what producers write and readers read into. */\nexport type ${pascal(c.schema.name)} = ${pascal(c.schema.name)}V${c.version};`,
  );

  // 4. Topic registry.
  const registry = JSON.parse(readFileSync(join(root, 'schemas', 'topics.json'), 'utf8'));
  const topicEntries = Object.entries(registry.topics).map(([name, spec]) => {
    if (!/^[a-z]+\.[a-z-]+\.[a-z-]+\.v\d+$/.test(name)) throw new SchemaError(`topics.json: '${name}' does not follow <domain>.<entity>.<event>.v<major>`);
    const rec = latest.get(spec.record);
    if (!rec) throw new SchemaError(`topics.json: topic '${name}' names unknown record '${spec.record}'`);
    return { name, ...registry.defaults, ...spec, typeName: pascal(rec.schema.name) };
  });

  const header = '// GENERATED by tools/gen-contracts.mjs from schemas/. Do not edit.\n/* eslint-disable */\n';
  mkdirSync(outDir, { recursive: true });
  const write = (name, text) => {
    const p = join(outDir, name);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== text) writeFileSync(p, text);
  };
  write('types.ts', `${header}\n${[...defs.values()].join('\n\n')}\n\n${aliases.join('\n\n')}\n`);
  write(
    'catalogue.ts',
    `${header}\nexport interface SchemaVersion {\n  fullName: string;\n  version: number;\n  file: string;\n  schema: Record<string, unknown>;\n}\n\n` +
      `export const SCHEMA_CATALOGUE: readonly SchemaVersion[] = ${JSON.stringify(
        catalogue.map((c) => ({ fullName: c.fullName, version: c.version, file: c.file, schema: c.expanded })),
        null,
        2,
      )};\n`,
  );
  write(
    'topics.ts',
    `${header}\nimport type { ${[...new Set(topicEntries.map((t) => t.typeName))].sort().join(', ')} } from './types';\n\n` +
      `export interface TopicSpec {\n  name: string;\n  record: string;\n  key: string;\n  partitions: number;\n  retentionMs: number;\n  cleanupPolicy: string;\n}\n\n` +
      `/** Every topic of the system and the record it carries. Topic names are a contract. */\nexport const TOPICS = {\n${topicEntries
        .map(
          (t) =>
            `  ${JSON.stringify(t.name)}: ${JSON.stringify({ name: t.name, record: t.record, key: t.key, partitions: t.partitions, retentionMs: t.retentionMs, cleanupPolicy: t.cleanupPolicy })},`,
        )
        .join('\n')}\n} as const satisfies Record<string, TopicSpec>;\n\nexport type TopicName = keyof typeof TOPICS;\n\n` +
      `/** The TypeScript type of the record on each topic. */\nexport interface TopicRecords {\n${topicEntries.map((t) => `  ${JSON.stringify(t.name)}: ${t.typeName};`).join('\n')}\n}\n`,
  );
  return topicEntries.length;
}

function main() {
  const schemasDir = join(root, 'schemas');
  const lockPath = join(schemasDir, 'fingerprints.lock.json');
  try {
    const lock = readLock(lockPath);
    const catalogue = buildCatalogue(loadSchemas(schemasDir), lock);
    if (process.argv.includes('--lock')) {
      const { lock: next, added } = appendToLock(catalogue, lock);
      if (added.length) writeFileSync(lockPath, formatLock(next));
      console.error(
        `gen-contracts: ${added.length ? `locked ${added.map((a) => `${a.fullName} v${a.version}`).join(', ')}` : 'every schema version was already locked'}`,
      );
    }
    const topics = generate(catalogue, join(root, 'libs/contracts/src/generated'));
    const problems = describeLockProblems(compareWithLock(catalogue, process.argv.includes('--lock') ? readLock(lockPath) : lock));
    for (const p of problems) console.error(`gen-contracts: WARNING ${p}`);
    console.error(`gen-contracts: ${catalogue.length} schema versions, ${topics} topics`);
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    console.error(`gen-contracts: ${e.message}`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
