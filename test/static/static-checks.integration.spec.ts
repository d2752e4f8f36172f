import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@mlc/platform-testing';

const bin = (name: string) => join(REPO_ROOT, 'node_modules/.bin', name);
const run = (cmd: string, args: string[]) =>
  spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' }, maxBuffer: 64 * 1024 * 1024 });

describe('static checks', () => {
  it('the whole workspace type-checks under strict settings', () => {
    const r = run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
    assert.equal(r.status, 0, `tsc found errors:\n${r.stdout}${r.stderr}`);
  });

  it('lint passes: module boundaries between services and partners, type-aware rules', () => {
    const graph = run(bin('nx'), ['show', 'projects']); // builds the project graph the boundary rule reads
    assert.equal(graph.status, 0, graph.stderr);
    const r = run(bin('eslint'), ['.', '--max-warnings', '0']);
    assert.equal(r.status, 0, `eslint found problems:\n${r.stdout}${r.stderr}`);
  });

  it('the code is formatted by prettier (.prettierrc.json; `npx prettier --write "**/*.{ts,mjs}"` formats it)', () => {
    const r = run(bin('prettier'), ['--check', '**/*.{ts,mjs}', '--log-level', 'warn']);
    assert.equal(r.status, 0, `prettier would reformat:\n${r.stdout}${r.stderr}`);
  });
});
