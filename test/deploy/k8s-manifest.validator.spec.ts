import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, validateManifest } from './k8s-manifest.validator';

function deployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' }, annotations: { 'example.com/any-key': 'x' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001 },
          containers: [
            {
              name: 'web',
              image: 'example/web:1',
              ports: [{ name: 'http', containerPort: 3000 }],
              readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
              resources: { limits: { memory: '256Mi' }, requests: { cpu: '50m' } },
              env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
            },
          ],
        },
      },
    },
  };
}

const paths = (obj: unknown) => validateManifest(obj).map((p) => p.path);

describe('validateManifest (kubernetes-models schemas, strict about unknown fields)', () => {
  it('accepts a valid Deployment, including free-form maps (labels, annotations, resources)', () => {
    assert.deepEqual(validateManifest(deployment()), []);
  });

  it('rejects `contianers` (required field missing and unknown field)', () => {
    const d = deployment();
    d['spec'].template.spec.contianers = d['spec'].template.spec.containers;
    delete d['spec'].template.spec.containers;
    const problems = validateManifest(d);
    assert.ok(
      problems.some((p) => p.path === '/spec/template/spec/contianers' && /unknown field/.test(p.message)),
      JSON.stringify(problems),
    );
    assert.ok(
      problems.some((p) => /containers/.test(p.message) && /required/.test(p.message)),
      JSON.stringify(problems),
    );
  });

  it('rejects a misspelt optional field, which the package alone would accept', () => {
    const d = deployment();
    const c = d['spec'].template.spec.containers[0];
    c.readnessProbe = c.readinessProbe;
    delete c.readinessProbe;
    assert.deepEqual(paths(d), ['/spec/template/spec/containers/0/readnessProbe']);
  });

  it('finds unknown fields at every depth: top level, metadata, pod securityContext, probe handler', () => {
    const d = deployment();
    d['spce'] = {};
    d['metadata'].annotatons = {};
    d['spec'].template.spec.securityContext.runAsUsr = 1;
    d['spec'].template.spec.containers[0].readinessProbe.httpGet.shceme = 'HTTP';
    assert.deepEqual(paths(d).sort(), [
      '/metadata/annotatons',
      '/spce',
      '/spec/template/spec/containers/0/readinessProbe/httpGet/shceme',
      '/spec/template/spec/securityContext/runAsUsr',
    ]);
  });

  it('reports type errors from the schema', () => {
    const d = deployment();
    d['spec'].replicas = 'two';
    const problems = validateManifest(d);
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/spec/replicas'],
    );
    assert.match(problems[0]?.message ?? '', /integer/);
  });

  it('rejects kinds it has no schema for instead of passing them unchecked', () => {
    assert.match(validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })[0]?.message ?? '', /no schema/);
    assert.equal(loadModel('apps/v1', 'Deployment') !== undefined, true);
    assert.equal(loadModel('../../etc', 'Passwd'), undefined);
  });

  it('validates the other kinds the chart renders (Service with a misspelt port field)', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { selector: { a: 'b' }, ports: [{ port: 80, targetPort: 'http', protcol: 'TCP' }] },
    };
    assert.deepEqual(paths(svc), ['/spec/ports/0/protcol']);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { ANY_KEY: 'v' } };
    assert.deepEqual(paths(cm), []);
  });
});
