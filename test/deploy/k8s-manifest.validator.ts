// Offline validation of Kubernetes manifests against the OpenAPI schemas shipped (compiled) in the npm
// package `kubernetes-models`.
//
// Its validators check types, enums and required fields but accept unknown properties (the Kubernetes
// schemas do not say `additionalProperties: false`), so a misspelt optional field such as `readnessProbe`
// would pass. The strict check below runs the same validator over a Proxy of the object and records every
// property the validator reads: a compiled schema reads each property it declares (`data.spec`, ...) and
// enumerates the keys of map-typed objects (labels, data, resources.limits). Any key of the manifest the
// schema neither read nor enumerated is a field Kubernetes does not know.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ManifestProblem {
  /** JSON pointer inside the manifest, e.g. `/spec/template/spec/containers/0/readnessProbe`. */
  path: string;
  message: string;
}

interface ModelClass {
  prototype: { validate(): void };
}

interface SchemaError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

const modelsDir = dirname(require.resolve('kubernetes-models/package.json'));
const modelCache = new Map<string, ModelClass | undefined>();

/**
 * The model class for an apiVersion and kind (`apps/v1`, `Deployment`), or undefined when the package has
 * none. The package is ESM-only with an `import`-only exports map, so it is loaded by file path (Node 24
 * can `require` an ES module that has no top-level await).
 */
export function loadModel(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let model: ModelClass | undefined;
  if (/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion) && /^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    const file = join(modelsDir, apiVersion, `${kind}.js`);
    if (existsSync(file)) {
      const mod = require(file) as Record<string, unknown>;
      model = mod[kind] as ModelClass | undefined;
    }
  }
  modelCache.set(key, model);
  return model;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const pointer = (parent: string, key: string | number): string => `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * Validates one manifest: schema errors (wrong types, missing required fields, bad enums) and unknown
 * fields. Returns an empty list when the manifest is valid.
 */
export function validateManifest(manifest: unknown): ManifestProblem[] {
  if (!isObject(manifest) || Array.isArray(manifest)) return [{ path: '', message: 'manifest is not an object' }];
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [{ path: '', message: 'manifest has no apiVersion/kind' }];
  }
  const model = loadModel(apiVersion, kind);
  if (!model) return [{ path: '', message: `no schema for ${apiVersion} ${kind} in kubernetes-models` }];

  const read = new WeakMap<object, Set<string>>();
  const enumerated = new WeakSet<object>();
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (!isObject(value)) return value;
    const known = proxies.get(value);
    if (known) return known;
    const proxy = new Proxy(value, {
      get(target, prop, receiver) {
        if (typeof prop === 'string') {
          let keys = read.get(target);
          if (!keys) read.set(target, (keys = new Set()));
          keys.add(prop);
        }
        return wrap(Reflect.get(target, prop, receiver));
      },
      ownKeys(target) {
        enumerated.add(target);
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };

  const problems: ManifestProblem[] = [];
  try {
    model.prototype.validate.call(wrap(manifest));
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw err;
    for (const e of errors) {
      const extra = e.keyword === 'enum' && e.params ? ` (${JSON.stringify(e.params['allowedValues'])})` : '';
      problems.push({ path: e.instancePath ?? '', message: `${e.message ?? e.keyword ?? 'invalid'}${extra}` });
    }
  }

  const walk = (value: unknown, path: string): void => {
    if (!isObject(value)) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, pointer(path, i)));
      return;
    }
    const keys = read.get(value);
    const isMap = enumerated.has(value);
    for (const [key, child] of Object.entries(value)) {
      if (!isMap && !keys?.has(key)) {
        problems.push({ path: pointer(path, key), message: `unknown field "${key}" for ${apiVersion} ${kind}` });
        continue;
      }
      walk(child, pointer(path, key));
    }
  };
  walk(manifest, '');
  return problems;
}

/** One line per problem, for assertion messages. */
export function formatProblems(label: string, problems: ManifestProblem[]): string {
  return problems.map((p) => `${label}: ${p.path || '/'} ${p.message}`).join('\n');
}
