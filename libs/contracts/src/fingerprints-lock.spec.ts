import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { AvroCodec } from './avro.codec';
import { SCHEMA_CATALOGUE, type SchemaVersion } from './generated/catalogue';

// The lock of published schemas (schemas/fingerprints.lock.json): every record version's fingerprint as written on
// the wire must stay what it was when the version was published, or records already in the log dead-letter.

const UP = resolve(__dirname, '../../..'); // the repository, or dist/ in it once built
const REPO_ROOT = basename(UP) === 'dist' ? dirname(UP) : UP;
const LOCK_FILE = join(REPO_ROOT, 'schemas/fingerprints.lock.json');

interface LockEntry {
  file: string;
  fingerprint: string;
  inlines: Record<string, number>;
}
interface Lock {
  schemas: Record<string, Record<string, LockEntry>>;
}
interface GenCatalogueEntry {
  fullName: string;
  version: number;
  file: string;
  expanded: Record<string, unknown>;
  inlines: Record<string, number>;
}
/** What the spec uses of tools/gen-contracts.mjs (plain ESM, loaded with require(esm)). */
interface GenContracts {
  LOCK_COMMAND: string;
  loadSchemas(schemasDir: string): unknown[];
  readLock(path: string): Lock;
  buildCatalogue(files: unknown[], lock: Lock): GenCatalogueEntry[];
  appendToLock(catalogue: GenCatalogueEntry[], lock: Lock): { lock: Lock; added: { fullName: string; version: number }[] };
  formatLock(lock: Lock): string;
}
const gen = createRequire(__filename)(join(REPO_ROOT, 'tools/gen-contracts.mjs')) as GenContracts;

/**
 * The lock checked against fingerprints computed by AvroCodec (the code that writes records), one message per
 * problem: which schema, old vs new fingerprint, what to do.
 */
function lockProblems(catalogue: readonly SchemaVersion[], lock: Lock): string[] {
  const codec = new AvroCodec(catalogue);
  const problems: string[] = [];
  const present = new Set<string>();
  for (const v of catalogue) {
    present.add(`${v.fullName} v${v.version}`);
    const locked = lock.schemas[v.fullName]?.[String(v.version)];
    const now = codec.fingerprintOf(v.fullName, v.version);
    if (!locked) {
      problems.push(
        `${v.fullName} v${v.version} (${v.file}) is not in schemas/fingerprints.lock.json: run \`${gen.LOCK_COMMAND}\` to append new versions (it never rewrites an entry)`,
      );
    } else if (locked.fingerprint !== now) {
      problems.push(
        `${v.fullName} v${v.version} (${v.file}): fingerprint was ${locked.fingerprint}, is now ${now}; published schemas are immutable: add a new version (v${v.version + 1}) instead`,
      );
    }
  }
  for (const [name, versions] of Object.entries(lock.schemas)) {
    for (const [version, entry] of Object.entries(versions)) {
      if (!present.has(`${name} v${version}`))
        problems.push(`${name} v${version} (${entry.file}) is locked but gone from schemas/; published schemas are immutable: put it back`);
    }
  }
  return problems;
}

const committedLock = (): Lock => JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as Lock;
const asCatalogue = (entries: GenCatalogueEntry[]): SchemaVersion[] =>
  entries.map((e) => ({ fullName: e.fullName, version: e.version, file: e.file, schema: e.expanded }));

/** A temporary copy of schemas/ (with the lock), changed by `edit`, expanded by gen-contracts as a build would. */
const temps: string[] = [];
function copyOfSchemas(edit: (schemasDir: string) => void): { lock: Lock; catalogue: GenCatalogueEntry[] } {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-schemas-'));
  temps.push(dir);
  const schemasDir = join(dir, 'schemas');
  cpSync(join(REPO_ROOT, 'schemas'), schemasDir, { recursive: true });
  edit(schemasDir);
  const lock = gen.readLock(join(schemasDir, 'fingerprints.lock.json'));
  return { lock, catalogue: gen.buildCatalogue(gen.loadSchemas(schemasDir), lock) };
}
after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const editJson = (file: string, change: (schema: { fields: unknown[] }) => void) => {
  const schema = JSON.parse(readFileSync(file, 'utf8')) as { fields: unknown[] };
  change(schema);
  writeFileSync(file, JSON.stringify(schema, null, 2));
};
const optionalField = (name: string) => ({ name, type: ['null', 'string'], default: null });

describe('schema fingerprint lock (schemas/fingerprints.lock.json)', () => {
  it('locks every schema version of the build with the fingerprint it is written with', () => {
    const problems = lockProblems(SCHEMA_CATALOGUE, committedLock());
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  it('agrees with gen-contracts: locking the current schemas again adds nothing and changes no byte', () => {
    const lock = committedLock();
    const { lock: next, added } = gen.appendToLock(gen.buildCatalogue(gen.loadSchemas(join(REPO_ROOT, 'schemas')), lock), lock);
    assert.deepEqual(added, []);
    assert.equal(gen.formatLock(next), readFileSync(LOCK_FILE, 'utf8'));
  });

  it('fails on a published schema edited in place (a temporary copy), naming it with old and new fingerprint, and --lock refuses it', () => {
    const { lock, catalogue } = copyOfSchemas((dir) =>
      editJson(join(dir, 'erp/purchase-order-changed.v1.avsc'), (s) => s.fields.push(optionalField('buyerName'))),
    );
    const problems = lockProblems(asCatalogue(catalogue), lock);
    assert.equal(problems.length, 1, problems.join('\n'));
    const old = lock.schemas['mlc.erp.PurchaseOrderChanged']!['1']!.fingerprint;
    assert.match(
      problems[0]!,
      /^mlc\.erp\.PurchaseOrderChanged v1 \(schemas\/erp\/purchase-order-changed\.v1\.avsc\): fingerprint was ([0-9a-f]{16}), is now ([0-9a-f]{16}); published schemas are immutable: add a new version \(v2\) instead$/,
    );
    assert.ok(problems[0]!.includes(`was ${old}, is now `) && !problems[0]!.endsWith(`now ${old}`));
    assert.throws(() => gen.appendToLock(catalogue, lock), /never rewritten[\s\S]*mlc\.erp\.PurchaseOrderChanged v1/);
  });

  it('fails on a new schema version not in the lock, saying the command; --lock appends it and leaves every other entry as it was', () => {
    const { lock, catalogue } = copyOfSchemas((dir) => {
      const v1 = readFileSync(join(dir, 'tenants/tenant-config-changed.v1.avsc'), 'utf8');
      writeFileSync(join(dir, 'tenants/tenant-config-changed.v2.avsc'), v1);
      editJson(join(dir, 'tenants/tenant-config-changed.v2.avsc'), (s) => s.fields.push(optionalField('reason')));
    });
    assert.deepEqual(lockProblems(asCatalogue(catalogue), lock), [
      'mlc.tenants.TenantConfigChanged v2 (schemas/tenants/tenant-config-changed.v2.avsc) is not in schemas/fingerprints.lock.json: run `npm run gen -- --lock` to append new versions (it never rewrites an entry)',
    ]);
    const { lock: next, added } = gen.appendToLock(catalogue, lock);
    assert.deepEqual(
      added.map((a) => `${a.fullName} v${a.version}`),
      ['mlc.tenants.TenantConfigChanged v2'],
    );
    const { ['mlc.tenants.TenantConfigChanged']: changedName, ...others } = next.schemas;
    const { ['mlc.tenants.TenantConfigChanged']: before, ...othersBefore } = lock.schemas;
    assert.deepEqual(others, othersBefore);
    assert.deepEqual(changedName!['1'], before!['1']);
    assert.deepEqual(lockProblems(asCatalogue(catalogue), next), []);
  });

  it('pins the EventMeta each version was published with: a new EventMeta version changes no locked fingerprint', () => {
    const { lock, catalogue } = copyOfSchemas((dir) => {
      writeFileSync(join(dir, 'common/event-meta.v2.avsc'), readFileSync(join(dir, 'common/event-meta.v1.avsc')));
      editJson(join(dir, 'common/event-meta.v2.avsc'), (s) => s.fields.push(optionalField('actor')));
      const v1 = readFileSync(join(dir, 'tenants/tenant-config-changed.v1.avsc'), 'utf8');
      writeFileSync(join(dir, 'tenants/tenant-config-changed.v2.avsc'), v1);
    });
    assert.deepEqual(lockProblems(asCatalogue(catalogue), lock), [
      'mlc.common.EventMeta v2 (schemas/common/event-meta.v2.avsc) is not in schemas/fingerprints.lock.json: run `npm run gen -- --lock` to append new versions (it never rewrites an entry)',
      'mlc.tenants.TenantConfigChanged v2 (schemas/tenants/tenant-config-changed.v2.avsc) is not in schemas/fingerprints.lock.json: run `npm run gen -- --lock` to append new versions (it never rewrites an entry)',
    ]);
    const inlines = (name: string, v: number) => catalogue.find((c) => c.fullName === name && c.version === v)!.inlines;
    assert.deepEqual(inlines('mlc.tenants.TenantConfigChanged', 1), { 'mlc.common.EventMeta': 1 });
    assert.deepEqual(inlines('mlc.tenants.TenantConfigChanged', 2), { 'mlc.common.EventMeta': 2 }, 'a new version takes the newest EventMeta');
    // A v1 record in the log still decodes, into the newest reader (v2 with EventMeta v2).
    const codec = new AvroCodec(asCatalogue(catalogue));
    const meta = { eventId: 'e', tenantId: 't', correlationId: 'c', causationId: null, source: 's', occurredAt: 1, traceparent: null };
    const v1 = { meta, version: 1, entity: 'tenant', key: 'acme', action: 'created', actor: 'op', at: '2026-12-07T00:00:00Z', oldValue: null, newValue: null };
    const read = codec.decode<{ meta: Record<string, unknown> }>(codec.encode('mlc.tenants.TenantConfigChanged', v1, 1), 'mlc.tenants.TenantConfigChanged');
    assert.equal(read.writerVersion, 1);
    assert.equal(read.value.meta['actor'], null);
  });
});
