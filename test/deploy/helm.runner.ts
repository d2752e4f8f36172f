// Runs the helm binary (built once by deploy/helm/ensure-helm.sh into .local/bin) and parses its output.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const execFileAsync = promisify(execFile);

/** Kubernetes version the chart is rendered for (Capabilities.KubeVersion). */
export const KUBE_VERSION = '1.30.0';

function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'deploy', 'helm', 'ml-connector', 'Chart.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`repository root not found above ${__dirname}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot();
export const CHART_DIR = join(REPO_ROOT, 'deploy', 'helm', 'ml-connector');
export const VALUES_DIR = join(REPO_ROOT, 'deploy', 'helm', 'values');

/** Path of a helm binary; builds it the first time (about a minute and a half). */
export function ensureHelm(): string {
  const out = execFileSync('bash', [join(REPO_ROOT, 'deploy', 'helm', 'ensure-helm.sh')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bin = out.trim().split('\n').pop() ?? '';
  if (!existsSync(bin)) throw new Error(`ensure-helm.sh printed no usable helm path: ${out}`);
  return bin;
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export async function runHelm(helm: string, args: string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await execFileAsync(helm, args, {
      cwd: REPO_ROOT,
      maxBuffer: 32 * 1024 * 1024,
      env: {
        ...process.env,
        HELM_CACHE_HOME: join(REPO_ROOT, '.local', 'helm', 'cache'),
        HELM_CONFIG_HOME: join(REPO_ROOT, '.local', 'helm', 'config'),
        HELM_DATA_HOME: join(REPO_ROOT, '.local', 'helm', 'data'),
      },
    });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Splits a multi-document YAML stream into objects; a YAML syntax error throws. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    objects.push(value as K8sObject);
  }
  return objects;
}

export interface RenderOptions {
  chartDir?: string;
  valuesFiles?: string[];
  set?: string[];
  release?: string;
  namespace?: string;
}

/** `helm template`, returning the rendered objects (hooks included) or helm's error text. */
export async function renderChart(helm: string, opts: RenderOptions = {}): Promise<{ objects: K8sObject[]; error?: string; raw: string }> {
  const args = ['template', opts.release ?? 'mlc', opts.chartDir ?? CHART_DIR, '--namespace', opts.namespace ?? 'integrations', '--kube-version', KUBE_VERSION];
  for (const f of opts.valuesFiles ?? []) args.push('-f', f);
  for (const s of opts.set ?? []) args.push('--set', s);
  const res = await runHelm(helm, args);
  if (!res.ok) return { objects: [], error: res.stderr, raw: res.stdout };
  return { objects: parseManifests(res.stdout), raw: res.stdout };
}
