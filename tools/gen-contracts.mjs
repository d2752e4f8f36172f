// Generates libs/contracts/src/generated/ from schemas/: the catalogue of every schema version (fully
// expanded, with its CRC-64-AVRO fingerprint), TypeScript types for each version, and the topic registry.
// Types are never written by hand. Run by every build; output is git-ignored.
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const avro = require('avsc');
const schemasDir = join(root, 'schemas');
const outDir = join(root, 'libs/contracts/src/generated');

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.avsc') ? [p] : [];
  });
}

const fail = (msg) => {
  console.error(`gen-contracts: ${msg}`);
  process.exit(1);
};

// 1. Read every file: <domain>/<kebab-name>.v<N>.avsc
const files = walk(schemasDir).map((file) => {
  const m = /\.v(\d+)\.avsc$/.exec(file);
  if (!m) fail(`${relative(root, file)}: file name must end in .v<N>.avsc`);
  let schema;
  try {
    schema = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`${relative(root, file)}: not JSON (${e.message})`);
  }
  const fullName = `${schema.namespace}.${schema.name}`;
  return { file: relative(root, file), version: Number(m[1]), schema, fullName };
});

// 2. Named types referenced across files (e.g. mlc.common.EventMeta) are inlined from their newest version.
const latestByName = new Map();
for (const f of files) {
  const cur = latestByName.get(f.fullName);
  if (!cur || cur.version < f.version) latestByName.set(f.fullName, f);
}
function expand(node, ns, seen) {
  if (typeof node === 'string') {
    const full = node.includes('.') ? node : null;
    if (full && latestByName.has(full) && !seen.has(full)) {
      seen.add(full);
      const inlined = latestByName.get(full);
      // 'x-version' (ignored by Avro) lets the type generator name an inlined record by its own version.
      return { ...expand(inlined.schema, undefined, seen), 'x-version': inlined.version };
    }
    return node;
  }
  if (Array.isArray(node)) return node.map((n) => expand(n, ns, seen));
  if (node && typeof node === 'object') {
    const out = { ...node };
    if (out.type === 'record') out.fields = out.fields.map((f) => ({ ...f, type: expand(f.type, ns, seen) }));
    else if (out.type === 'array') out.items = expand(out.items, ns, seen);
    else if (out.type === 'map') out.values = expand(out.values, ns, seen);
    else if (typeof out.type === 'object' || typeof out.type === 'string') out.type = expand(out.type, ns, seen);
    return out;
  }
  return node;
}

const catalogue = files
  .filter((f) => f.schema.type === 'record')
  .map((f) => {
    const expanded = expand(f.schema, f.schema.namespace, new Set([f.fullName]));
    try {
      avro.Type.forSchema(expanded, { wrapUnions: false });
    } catch (e) {
      fail(`${f.file}: invalid Avro schema (${e.message})`);
    }
    return { ...f, expanded };
  })
  .sort((a, b) => a.fullName.localeCompare(b.fullName) || a.version - b.version);

// 3. TypeScript types.
const pascal = (s) => s.replace(/(^|[-_.])(\w)/g, (_, __, c) => c.toUpperCase());
function tsType(t, defs, suffix) {
  if (typeof t === 'string') {
    switch (t) {
      case 'null': return 'null';
      case 'boolean': return 'boolean';
      case 'int': case 'long': case 'float': case 'double': return 'number';
      case 'bytes': return 'Buffer';
      case 'string': return 'string';
      default: return pascal(t.split('.').pop()) + suffix;
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
    case 'array': return `Array<${tsType(t.items, defs, suffix)}>`;
    case 'map': return `Record<string, ${tsType(t.values, defs, suffix)}>`;
    case 'fixed': return 'Buffer';
    default: return tsType(t.type, defs, suffix);
  }
}

const defs = new Map();
const latest = new Map();
for (const c of catalogue) {
  tsType(c.expanded, defs, `V${c.version}`);
  const cur = latest.get(c.fullName);
  if (!cur || cur.version < c.version) latest.set(c.fullName, c);
}
const aliases = [...latest.values()].map(
  (c) => `/** Newest version of ${c.fullName} (v${c.version}): what producers write and readers read into. */\nexport type ${pascal(c.schema.name)} = ${pascal(c.schema.name)}V${c.version};`,
);

// 4. Topic registry.
const registry = JSON.parse(readFileSync(join(schemasDir, 'topics.json'), 'utf8'));
const topicEntries = Object.entries(registry.topics).map(([name, spec]) => {
  if (!/^[a-z]+\.[a-z-]+\.[a-z-]+\.v\d+$/.test(name)) fail(`topics.json: '${name}' does not follow <domain>.<entity>.<event>.v<major>`);
  const rec = latest.get(spec.record);
  if (!rec) fail(`topics.json: topic '${name}' names unknown record '${spec.record}'`);
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
      .map((t) => `  ${JSON.stringify(t.name)}: ${JSON.stringify({ name: t.name, record: t.record, key: t.key, partitions: t.partitions, retentionMs: t.retentionMs, cleanupPolicy: t.cleanupPolicy })},`)
      .join('\n')}\n} as const satisfies Record<string, TopicSpec>;\n\nexport type TopicName = keyof typeof TOPICS;\n\n` +
    `/** The TypeScript type of the record on each topic. */\nexport interface TopicRecords {\n${topicEntries.map((t) => `  ${JSON.stringify(t.name)}: ${t.typeName};`).join('\n')}\n}\n`,
);
console.error(`gen-contracts: ${catalogue.length} schema versions, ${topicEntries.length} topics`);
