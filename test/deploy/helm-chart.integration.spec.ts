// Renders deploy/helm/ml-connector with the value sets in deploy/helm/values and checks every object offline
// against the Kubernetes OpenAPI schemas (kubernetes-models), strictly: a misspelt field fails.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR, VALUES_DIR, ensureHelm, renderChart, runHelm, type K8sObject } from './helm.runner';
import { formatProblems, validateManifest } from './k8s-manifest.validator';

const SERVICES = ['oracle-poller', 'webhook-gateway', 'mapper', 'shipbob-writer', 'fusion-writer', 'audit-projector'];
const SCALABLE = ['webhook-gateway', 'shipbob-writer', 'fusion-writer'];
const VALUE_SETS = ['minimal', 'production', 'existing-secret'] as const;
type ValueSet = (typeof VALUE_SETS)[number];
const SECRET_KEYS = ['DATABASE_URL', 'MLC_ENCRYPTION_KEYS', 'MLC_OPERATOR_API_KEYS', 'KAFKA_SASL_PASSWORD'];

const valuesFile = (set: ValueSet) => join(VALUES_DIR, `${set}.yaml`);
const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const component = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/component'];
const podSpec = (o: K8sObject): any => (o as any).spec.template.spec;
const hookOf = (o: K8sObject) => o.metadata.annotations?.['helm.sh/hook'];

let helm = '';
const rendered = new Map<ValueSet, K8sObject[]>();
let scratch = '';

before(
  async () => {
    helm = ensureHelm();
    scratch = mkdtempSync(join(tmpdir(), 'mlc-chart-'));
    await Promise.all(
      VALUE_SETS.map(async (set) => {
        const out = await renderChart(helm, { valuesFiles: [valuesFile(set)] });
        assert.equal(out.error, undefined, `helm template with ${set}.yaml failed:\n${out.error}`);
        rendered.set(set, out.objects);
      }),
    );
  },
  { timeout: 300_000 },
);

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const objects = (set: ValueSet): K8sObject[] => {
  const objs = rendered.get(set);
  assert.ok(objs && objs.length > 0, `nothing rendered for ${set}`);
  return objs;
};

describe('helm chart ml-connector', () => {
  for (const set of VALUE_SETS) {
    it(`passes helm lint --strict with ${set}.yaml`, async () => {
      const res = await runHelm(helm, ['lint', '--strict', CHART_DIR, '-f', valuesFile(set)]);
      assert.ok(res.ok, `${res.stdout}\n${res.stderr}`);
      assert.match(res.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it(`renders only schema-valid objects with no unknown fields (${set}.yaml)`, () => {
      const problems = objects(set).flatMap((o) => formatProblems(`${o.kind}/${o.metadata?.name}`, validateManifest(o)).split('\n').filter(Boolean));
      assert.deepEqual(problems, []);
    });
  }

  it('fails the check when a template carries a misspelt field', async () => {
    const chart = join(scratch, 'ml-connector');
    cpSync(CHART_DIR, chart, { recursive: true });
    const file = join(chart, 'templates', 'deployment.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('readinessProbe:', 'readinesProbe:').replace('      containers:', '      contianers:'));
    const out = await renderChart(helm, { chartDir: chart, valuesFiles: [valuesFile('minimal')] });
    assert.equal(out.error, undefined, out.error);
    const deployments = ofKind(out.objects, 'Deployment');
    assert.equal(deployments.length, SERVICES.length);
    for (const d of deployments) {
      const paths = validateManifest(d).map((p) => p.path);
      assert.ok(paths.includes('/spec/template/spec/contianers'), paths.join(', '));
    }
    // The optional-field typo alone (containers spelt right) is caught by the strict walk.
    writeFileSync(file, readFileSync(file, 'utf8').replace('      contianers:', '      containers:'));
    const again = await renderChart(helm, { chartDir: chart, valuesFiles: [valuesFile('minimal')] });
    const paths = ofKind(again.objects, 'Deployment').flatMap((d) => validateManifest(d).map((p) => p.path));
    assert.deepEqual([...new Set(paths)], ['/spec/template/spec/containers/0/readinesProbe']);
  });

  it('gives every service a Deployment with liveness and readiness probes on the Terminus endpoints, a Service and a PDB', () => {
    const objs = objects('minimal');
    for (const name of SERVICES) {
      const deps = ofKind(objs, 'Deployment').filter((d) => component(d) === name);
      assert.equal(deps.length, 1, `Deployment for ${name}`);
      const c = podSpec(deps[0]!).containers[0];
      assert.deepEqual(c.args, [name]);
      assert.deepEqual(c.livenessProbe.httpGet, { path: '/health/live', port: 'http' });
      assert.deepEqual(c.readinessProbe.httpGet, { path: '/health/ready', port: 'http' });
      assert.deepEqual(c.ports, [{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
      const svc = ofKind(objs, 'Service').find((s) => component(s) === name) as any;
      assert.ok(svc, `Service for ${name}`);
      assert.deepEqual(svc.spec.selector, (deps[0] as any).spec.selector.matchLabels);
      assert.ok(
        ofKind(objs, 'PodDisruptionBudget').some((p) => component(p) === name),
        `PDB for ${name}`,
      );
    }
    assert.equal(ofKind(objs, 'Deployment').length, SERVICES.length);
    const poller = ofKind(objs, 'Deployment').find((d) => component(d) === 'oracle-poller') as any;
    assert.equal(poller.spec.strategy.type, 'Recreate');
  });

  it('runs every container non-root with a read-only root filesystem (Deployments and Jobs)', () => {
    for (const set of VALUE_SETS) {
      for (const o of [...ofKind(objects(set), 'Deployment'), ...ofKind(objects(set), 'Job')]) {
        const spec = podSpec(o);
        assert.equal(spec.securityContext.runAsNonRoot, true, `${o.metadata.name} pod runAsNonRoot`);
        for (const c of spec.containers) {
          assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${o.metadata.name} readOnlyRootFilesystem`);
          assert.equal(c.securityContext.allowPrivilegeEscalation, false);
          assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
        }
      }
    }
  });

  it('keeps secret values out of ConfigMaps and puts them in the Secret', () => {
    const values = parse(readFileSync(valuesFile('production'), 'utf8'));
    const secretValues: string[] = [
      values.secrets.databaseUrl,
      values.secrets.encryptionKeys,
      values.secrets.operatorApiKeys,
      values.secrets.kafkaSaslPassword,
      ...Object.values<string>(values.secrets.extra),
    ];
    assert.equal(secretValues.length, 5);
    const objs = objects('production');
    const configMaps = JSON.stringify(ofKind(objs, 'ConfigMap'));
    for (const v of secretValues) {
      assert.ok(!configMaps.includes(v), `secret value leaked into a ConfigMap: ${v}`);
      for (const part of v.split(/[:,@/?]/).filter((p) => p.includes('SENTINEL'))) assert.ok(!configMaps.includes(part), part);
    }
    for (const cm of ofKind(objs, 'ConfigMap')) {
      for (const key of SECRET_KEYS) assert.ok(!(key in ((cm as any).data ?? {})), `${key} in ConfigMap ${cm.metadata.name}`);
    }
    const release = ofKind(objs, 'Secret').find((s) => !hookOf(s)) as any;
    const decoded = Object.fromEntries(Object.entries<string>(release.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    assert.deepEqual(Object.keys(decoded).sort(), [...SECRET_KEYS, 'SHIPBOB_API_TOKEN'].sort());
    assert.equal(decoded['DATABASE_URL'], values.secrets.databaseUrl);
    assert.equal(decoded['KAFKA_SASL_PASSWORD'], values.secrets.kafkaSaslPassword);
  });

  it('maps Kafka and service settings to the env keys of libs/platform/config', () => {
    const cm = ofKind(objects('production'), 'ConfigMap').find((c) => !hookOf(c)) as any;
    assert.deepEqual(cm.data, {
      KAFKA_BROKERS: 'b-1.msk.example.internal:9096,b-2.msk.example.internal:9096,b-3.msk.example.internal:9096',
      KAFKA_CLIENT_ID: 'ml-connector-prod',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ml-connector',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_TOPIC_PARTITIONS: '6',
      PORT: '3000',
      LOG_LEVEL: 'info',
      // audit-projector's ops API reaches the poller and fusion-writer through their Services; partners deliver
      // webhooks to the Ingress's host.
      OPS_ORACLE_POLLER_URL: 'http://mlc-ml-connector-oracle-poller:80',
      OPS_FUSION_WRITER_URL: 'http://mlc-ml-connector-fusion-writer:80',
      MLC_WEBHOOK_BASE_URL: 'https://connector.example.com',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability.svc:4318',
      FUSION_POLL_INTERVAL_MS: '30000',
      NODE_EXTRA_CA_CERTS: '/etc/ml-connector/kafka-ca/ca.crt',
    });
    const dep = ofKind(objects('production'), 'Deployment').find((d) => component(d) === 'oracle-poller')!;
    const c = podSpec(dep).containers[0];
    assert.deepEqual(c.envFrom, [{ configMapRef: { name: cm.metadata.name } }, { secretRef: { name: 'mlc-ml-connector' } }]);
    assert.ok(c.env.some((e: any) => e.name === 'FUSION_BASE_URL' && e.value === 'https://fusion.example.oraclecloud.com'));
    for (const o of [...ofKind(objects('production'), 'Deployment'), ...ofKind(objects('production'), 'Job')]) {
      assert.ok(
        podSpec(o).volumes.some((v: any) => v.name === 'kafka-ca' && v.secret.secretName === 'kafka-cluster-ca-cert'),
        `${o.metadata.name} lacks the Kafka CA volume`,
      );
      assert.ok(
        podSpec(o).containers[0].volumeMounts.some((m: any) => m.name === 'kafka-ca' && m.mountPath === '/etc/ml-connector/kafka-ca'),
        o.metadata.name,
      );
    }
    const writer = ofKind(objects('production'), 'Deployment').find((d) => component(d) === 'shipbob-writer')!;
    assert.equal(podSpec(writer).containers[0].image, 'registry.example.com/ml-connector:0.1.1');
  });

  it('renders no Secret in existingSecret mode and points every pod at the existing one', () => {
    const objs = objects('existing-secret');
    assert.deepEqual(
      ofKind(objs, 'Secret').map((s) => s.metadata.name),
      [],
    );
    const pods = [...ofKind(objs, 'Deployment'), ...ofKind(objs, 'Job')];
    assert.equal(pods.length, SERVICES.length - 1 + 2);
    for (const o of pods) {
      const refs = podSpec(o)
        .containers[0].envFrom.filter((e: any) => e.secretRef)
        .map((e: any) => e.secretRef.name);
      assert.deepEqual(refs, ['ml-connector-env'], o.metadata.name);
    }
    assert.ok(!ofKind(objs, 'Deployment').some((d) => component(d) === 'audit-projector'), 'disabled service rendered');
    assert.ok(!ofKind(objs, 'Service').some((d) => component(d) === 'audit-projector'));
    assert.ok(ofKind(objs, 'Job').every((j) => podSpec(j).serviceAccountName === 'ml-connector-jobs'));
  });

  it('combined.enabled: one Deployment runs every service in one process, each behind its own Service on its own port', async () => {
    const out = await renderChart(helm, { valuesFiles: [valuesFile('production')], set: ['combined.enabled=true'] });
    assert.equal(out.error, undefined, out.error);
    const objs = out.objects;
    const problems = objs.flatMap((o) => formatProblems(`${o.kind}/${o.metadata?.name}`, validateManifest(o)).split('\n').filter(Boolean));
    assert.deepEqual(problems, []);
    const deps = ofKind(objs, 'Deployment') as any[];
    assert.deepEqual(
      deps.map((d) => component(d)),
      ['combined'],
    );
    const d = deps[0];
    assert.equal(d.spec.replicas, 1);
    assert.equal(d.spec.strategy.type, 'Recreate');
    const c = podSpec(d).containers[0];
    assert.deepEqual(c.args, ['combined']);
    const env = Object.fromEntries((c.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    assert.equal(env['COMBINED_SERVICES'], 'audit-projector,mapper,shipbob-writer,fusion-writer,oracle-poller,webhook-gateway');
    const order = ['audit-projector', 'mapper', 'shipbob-writer', 'fusion-writer', 'oracle-poller', 'webhook-gateway'];
    assert.deepEqual(
      c.ports,
      order.map((name, i) => ({ name, containerPort: 3000 + i, protocol: 'TCP' })),
    );
    for (const [i, name] of order.entries()) assert.equal(env[`${name.toUpperCase().replace(/-/g, '_')}_PORT`], String(3000 + i));
    assert.deepEqual(c.readinessProbe.httpGet, { path: '/health/ready', port: 'webhook-gateway' });
    for (const name of SERVICES) {
      const svc = ofKind(objs, 'Service').find((s) => component(s) === name) as any;
      assert.ok(svc, `Service for ${name}`);
      assert.deepEqual(svc.spec.selector, d.spec.selector.matchLabels);
      assert.equal(svc.spec.ports[0].targetPort, name);
    }
    assert.deepEqual(ofKind(objs, 'HorizontalPodAutoscaler'), []);
    assert.deepEqual(
      ofKind(objs, 'PodDisruptionBudget').map((p) => component(p)),
      ['combined'],
    );
    // A disabled service is left out of the process and its ports.
    const without = await renderChart(helm, { valuesFiles: [valuesFile('minimal')], set: ['combined.enabled=true', 'services.mapper.enabled=false'] });
    assert.equal(without.error, undefined, without.error);
    const c2 = podSpec(ofKind(without.objects, 'Deployment')[0]!).containers[0];
    assert.equal(
      c2.env.find((e: { name: string }) => e.name === 'COMBINED_SERVICES').value,
      'audit-projector,shipbob-writer,fusion-writer,oracle-poller,webhook-gateway',
    );
    assert.ok(!c2.ports.some((p: { name: string }) => p.name === 'mapper'));
  });

  it('autoscales exactly the gateway and the writers when enabled, leaving replicas to the HPA', () => {
    assert.deepEqual(ofKind(objects('minimal'), 'HorizontalPodAutoscaler'), []);
    const objs = objects('production');
    const hpas = ofKind(objs, 'HorizontalPodAutoscaler') as any[];
    assert.deepEqual(hpas.map((h) => component(h)).sort(), [...SCALABLE].sort());
    for (const h of hpas) {
      const target = ofKind(objs, 'Deployment').find((d) => d.metadata.name === h.spec.scaleTargetRef.name) as any;
      assert.ok(target, `HPA ${h.metadata.name} targets a rendered Deployment`);
      assert.equal(target.spec.replicas, undefined, `${target.metadata.name} must leave replicas to the HPA`);
    }
    const mapper = ofKind(objs, 'Deployment').find((d) => component(d) === 'mapper') as any;
    assert.equal(mapper.spec.replicas, 2);
  });

  it('runs migrations then topic bootstrap as pre-install/pre-upgrade hook Jobs with their own config copies', () => {
    const objs = objects('minimal');
    const jobs = ofKind(objs, 'Job');
    assert.deepEqual(
      jobs.map((j) => podSpec(j).containers[0].args[0]),
      ['migrate', 'topics'],
    );
    const weight = (o: K8sObject) => Number(o.metadata.annotations?.['helm.sh/hook-weight']);
    for (const j of jobs) {
      assert.equal(hookOf(j), 'pre-install,pre-upgrade');
      assert.equal(podSpec(j).restartPolicy, 'Never');
      for (const ref of podSpec(j).containers[0].envFrom) {
        const name = ref.configMapRef?.name ?? ref.secretRef?.name;
        const source = objs.find((o) => o.metadata.name === name && (o.kind === 'ConfigMap' || o.kind === 'Secret') && hookOf(o) === 'pre-install,pre-upgrade');
        assert.ok(source, `${j.metadata.name} reads ${name}, which must itself be a hook (plain objects do not exist yet at pre-install)`);
        assert.ok(weight(source) < weight(j), `${name} must be created before ${j.metadata.name}`);
      }
    }
    assert.ok(weight(jobs[0]!) < weight(jobs[1]!), 'migrations run before topic bootstrap');
  });

  it('exposes webhook-gateway through the optional Ingress', () => {
    assert.deepEqual(ofKind(objects('minimal'), 'Ingress'), []);
    const objs = objects('production');
    const [ing] = ofKind(objs, 'Ingress') as any[];
    const backend = ing.spec.rules[0].http.paths[0].backend.service;
    const svc = ofKind(objs, 'Service').find((s) => s.metadata.name === backend.name);
    assert.equal(svc && component(svc), 'webhook-gateway');
    assert.equal(backend.port.name, 'http');
    assert.deepEqual(ing.spec.tls, [{ secretName: 'connector-example-com-tls', hosts: ['connector.example.com'] }]);
  });

  it('renders NOTES.txt with the services, the secret source and the hook jobs', async () => {
    // helm template skips NOTES.txt; render it as a YAML block scalar in a copy of the chart.
    const chart = join(scratch, 'notes');
    cpSync(CHART_DIR, chart, { recursive: true });
    const notes = readFileSync(join(chart, 'templates', 'NOTES.txt'), 'utf8');
    writeFileSync(
      join(chart, 'templates', 'notes-probe.yaml'),
      `notes: |\n${notes
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}\n`,
    );
    const render = async (set: ValueSet) => {
      const res = await runHelm(helm, [
        'template',
        'mlc',
        chart,
        '--kube-version',
        '1.30.0',
        '-f',
        valuesFile(set),
        '--show-only',
        'templates/notes-probe.yaml',
      ]);
      assert.ok(res.ok, res.stderr);
      return String(parse(res.stdout).notes);
    };
    const [prod, existing] = await Promise.all([render('production'), render('existing-secret')]);
    assert.match(prod, /webhook-gateway: autoscaled 3-10/);
    assert.match(prod, /https:\/\/connector\.example\.com\/webhooks/);
    assert.match(prod, /logs job\/mlc-ml-connector-migrate/);
    assert.match(existing, /the existing Secret "ml-connector-env"/);
    assert.match(existing, /audit-projector: disabled/);
  });

  it('rejects bad values: a misspelt key (values.schema.json), missing brokers or secrets, a secret in config', async () => {
    const minimal = valuesFile('minimal');
    const cases: [string[], string[], RegExp][] = [
      [[minimal], ['services.mapper.replcias=2'], /additional properties 'replcias' not allowed/],
      [[minimal], ['services.billing.enabled=true'], /additional properties 'billing' not allowed/],
      [[minimal], ['kafka.sasl.mechanism=aws'], /mechanism/],
      [[], ['secrets.databaseUrl=postgres://x', 'secrets.encryptionKeys=k'], /kafka\.brokers is required/],
      [[], ['kafka.brokers=k:9092'], /secrets\.(databaseUrl|encryptionKeys) is required/],
      [[minimal], ['config.extraEnv.DATABASE_URL=postgres://leak'], /is a secret/],
      [[minimal], ['kafka.sasl.mechanism=plain', 'kafka.sasl.username=u'], /kafkaSaslPassword is required/],
    ];
    const results = await Promise.all(cases.map(([files, set]) => renderChart(helm, { valuesFiles: files, set })));
    results.forEach((res, i) => {
      const [, set, pattern] = cases[i]!;
      assert.ok(res.error, `expected --set ${set.join(' ')} to fail`);
      assert.match(res.error, pattern);
    });
  });
});
