// Transpiles every TypeScript file of the workspace into dist/ (same relative paths) with swc, keeping
// decorator metadata for NestJS, and rewrites the workspace aliases of tsconfig.base.json ("@mlc/...")
// into relative requires so the output runs on plain Node. Type checking is `npm run typecheck` (tsc);
// this step is deliberately tolerant so one broken file does not stop every other project from building.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, existsSync, rmSync, cpSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { transformFile } from '@swc/core';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const outRoot = join(root, 'dist');
const roots = ['services', 'libs', 'test', 'tools'];
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const paths = tsconfig.compilerOptions.paths ?? {};

/** alias -> absolute source file (without .ts) */
const aliases = new Map(Object.entries(paths).map(([alias, targets]) => [alias, join(root, targets[0].replace(/\.ts$/, ''))]));

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function rewriteAliases(code, srcFile) {
  return code.replace(/require\((["'])(@mlc\/[^"']+)\1\)/g, (whole, q, spec) => {
    const target = aliases.get(spec);
    if (!target) return whole;
    const fromDir = dirname(join(outRoot, relative(root, srcFile)));
    let rel = relative(fromDir, join(outRoot, relative(root, target)))
      .split(sep)
      .join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `require(${q}${rel}${q})`;
  });
}

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs', strictMode: true, noInterop: false },
  sourceMaps: true,
};

const started = Date.now();
const files = roots.flatMap((r) => walk(join(root, r), []));
// Output is reused when newer than its source, unless the alias table (or this script) changed since.
const stampFile = join(outRoot, '.build-stamp');
const stamp = readFileSync(join(root, 'tsconfig.base.json'), 'utf8') + readFileSync(new URL(import.meta.url), 'utf8');
const stale = process.argv.includes('--clean') || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp;
if (stale) rmSync(outRoot, { recursive: true, force: true });
let failed = 0;
await Promise.all(
  files.map(async (file) => {
    const out = join(outRoot, relative(root, file)).replace(/\.ts$/, '.js');
    try {
      const srcMtime = statSync(file).mtimeMs;
      if (!stale && existsSync(out) && statSync(out).mtimeMs >= srcMtime) return;
      const result = await transformFile(file, { ...swcOptions, filename: file, sourceFileName: relative(dirname(out), file) });
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${rewriteAliases(result.code, file)}\n//# sourceMappingURL=${out.split(sep).pop()}.map\n`);
      if (result.map) writeFileSync(`${out}.map`, result.map);
    } catch (err) {
      failed += 1;
      console.error(`build: ${relative(root, file)}: ${err.message ?? err}`);
    }
  }),
);
mkdirSync(outRoot, { recursive: true });
writeFileSync(stampFile, stamp);
// Drop output whose source is gone, so a deleted test never runs from a stale dist/.
const sources = new Set(files.map((f) => relative(root, f).replace(/\.ts$/, '.js')));
(function prune(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) prune(p);
    else if (name.endsWith('.js') && !sources.has(relative(outRoot, p))) rmSync(p);
  }
})(outRoot);
// The ops console's page (plain ES modules + htm templates: nothing to compile) and the two small libraries it runs
// on, Preact and htm, copied beside it with their bare "preact" imports pointed at the copy: served as they are.
const consoleWeb = 'services/audit-projector/src/console/web';
if (existsSync(join(root, consoleWeb))) {
  const out = join(outRoot, consoleWeb);
  rmSync(out, { recursive: true, force: true });
  cpSync(join(root, consoleWeb), out, { recursive: true });
  mkdirSync(join(out, 'vendor'), { recursive: true });
  for (const [from, to] of [
    ['preact/dist/preact.mjs', 'preact.js'],
    ['preact/hooks/dist/hooks.mjs', 'hooks.js'],
    ['htm/dist/htm.module.js', 'htm.js'],
  ])
    writeFileSync(join(out, 'vendor', to), readFileSync(join(root, 'node_modules', from), 'utf8').replace(/from\s*(["'])preact\1/g, 'from"./preact.js"'));
}
console.error(`build: ${files.length} files in ${Date.now() - started} ms${failed ? `, ${failed} failed` : ''}`);
if (failed) process.exitCode = 1;
