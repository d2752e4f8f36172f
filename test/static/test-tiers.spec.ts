import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

// The naming rule of the test tiers (README "Tests"): a spec that needs Kafka, PostgreSQL or another process is an
// *.integration.spec.ts (or *.e2e.spec.ts); every other spec runs in `npm run test:unit`, where nothing is started.

const UP = resolve(__dirname, '../..'); // the repository, or dist/ in it once built
const REPO_ROOT = basename(UP) === 'dist' ? dirname(UP) : UP;

/** What a spec's source reaches for that only the integration tier provides. */
const NEEDS: Array<[RegExp, string]> = [
  [/\btestKafka\s*\(/, 'Kafka (testKafka)'],
  [/\btestDatabase\s*\(/, 'PostgreSQL (testDatabase)'],
  [/\bstartService\s*\(/, 'a service process (startService)'],
  [/^import\s+(?!type\b)[^;]*from\s+'kafkajs'/m, 'kafkajs'],
  [/^import\s+(?!type\b)[^;]*from\s+'pg'/m, 'pg'],
  [/^import\s+(?!type\b)[^;]*from\s+'node:child_process'/m, 'child processes (node:child_process)'],
];

/** This file quotes the patterns in its own examples. */
const SELF = join('test', 'static', 'test-tiers.spec.ts');
const isIntegrationTier = (file: string) => /\.(integration|e2e)\.spec\.ts$/.test(file);

/** The integration-tier needs of one spec's source; [] when it may run in the unit tier. */
function tierProblems(source: string): string[] {
  return NEEDS.filter(([re]) => re.test(source)).map(([, what]) => what);
}

function specFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) specFiles(p, out);
    else if (name.endsWith('.spec.ts')) out.push(p);
  }
  return out;
}

describe('test tiers: the file name says what a spec needs', () => {
  it('every spec outside *.integration / *.e2e needs neither Kafka nor PostgreSQL nor a child process', () => {
    const files = ['services', 'libs', 'test', 'tools'].flatMap((d) => specFiles(join(REPO_ROOT, d)));
    assert.ok(files.length > 30, `found only ${files.length} spec files under ${REPO_ROOT}`);
    const misnamed = files
      .filter((f) => !isIntegrationTier(f) && relative(REPO_ROOT, f) !== SELF)
      .map((f) => ({ file: relative(REPO_ROOT, f), needs: tierProblems(readFileSync(f, 'utf8')) }))
      .filter((m) => m.needs.length > 0)
      .map((m) => `${m.file} needs ${m.needs.join(', ')}: name it ${basename(m.file).replace(/\.spec\.ts$/, '.integration.spec.ts')}`);
    assert.deepEqual(misnamed, [], misnamed.join('\n'));
  });

  it('tells a unit spec from one that needs the integration tier', () => {
    assert.deepEqual(tierProblems("import { waitFor, REPO_ROOT } from '@mlc/platform-testing';\nimport type { Kafka } from 'kafkajs';\n"), []);
    assert.deepEqual(tierProblems("import { Pool } from 'pg';\n  db = await testDatabase('x');\n"), ['PostgreSQL (testDatabase)', 'pg']);
    assert.deepEqual(tierProblems("import { execFileSync } from 'node:child_process';\n"), ['child processes (node:child_process)']);
    assert.deepEqual(tierProblems("const { kafka } = await testKafka('t');\nconst svc = await startService('mapper', {});\n"), [
      'Kafka (testKafka)',
      'a service process (startService)',
    ]);
  });
});
