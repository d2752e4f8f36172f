// Renders the chart with deploy/helm/values/cluster.yaml (three replicas of every service, a three-broker Kafka) and
// checks that the PodDisruptionBudgets fit the replicas (a node can always be drained, never all pods at once) and
// that the topic job creates topics with replication 3 and min.insync.replicas 2.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CHART_DIR, VALUES_DIR, ensureHelm, renderChart, runHelm, type K8sObject } from './helm.runner';
import { formatProblems, validateManifest } from './k8s-manifest.validator';

const SERVICES = ['oracle-poller', 'webhook-gateway', 'mapper', 'shipbob-writer', 'fusion-writer', 'audit-projector'];
const CLUSTER = join(VALUES_DIR, 'cluster.yaml');
const component = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/component'];
const hookOf = (o: K8sObject) => o.metadata.annotations?.['helm.sh/hook'];

/** Pods a PDB may evict at once out of `replicas` (Kubernetes rounds a maxUnavailable percentage up, minAvailable up). */
function disruptionsAllowed(pdb: any, replicas: number): number {
  const pct = (v: string, round: (n: number) => number) => round((Number(v.replace('%', '')) * replicas) / 100);
  if (pdb.spec.minAvailable !== undefined) {
    const min = typeof pdb.spec.minAvailable === 'string' ? pct(pdb.spec.minAvailable, Math.ceil) : pdb.spec.minAvailable;
    return replicas - min;
  }
  const max = pdb.spec.maxUnavailable;
  return typeof max === 'string' ? pct(max, Math.ceil) : max;
}

/** Every way the Deployments and PDBs of one rendering disagree (empty: consistent). */
function pdbProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment') as any[];
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget') as any[];
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as any[];
  const selects = (pdb: any, d: any) =>
    Object.entries(pdb.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => d.spec.template.metadata.labels[k] === v);
  for (const d of deployments) {
    const hpa = hpas.find((h) => h.spec.scaleTargetRef.name === d.metadata.name);
    const replicas: number = hpa ? hpa.spec.minReplicas : (d.spec.replicas ?? 1);
    const matching = pdbs.filter((p) => selects(p, d));
    if (matching.length !== 1) {
      problems.push(`${d.metadata.name}: ${matching.length} PodDisruptionBudgets select its pods (want exactly 1)`);
      continue;
    }
    const pdb = matching[0];
    const allowed = disruptionsAllowed(pdb, replicas);
    if (allowed < 1) problems.push(`${d.metadata.name}: ${pdb.metadata.name} allows ${allowed} of ${replicas} pods to be evicted: a node drain would block`);
    if (replicas >= 2 && allowed >= replicas) problems.push(`${d.metadata.name}: ${pdb.metadata.name} lets all ${replicas} pods go at once`);
    for (const other of deployments) if (other !== d && selects(pdb, other)) problems.push(`${pdb.metadata.name} also selects ${other.metadata.name}'s pods`);
    // The selector must pick the Deployment's own pods (its selector's labels), not merely some label they carry.
    const own = d.spec.selector.matchLabels as Record<string, string>;
    if (JSON.stringify(own) !== JSON.stringify(pdb.spec.selector.matchLabels))
      problems.push(`${pdb.metadata.name} selector ${JSON.stringify(pdb.spec.selector.matchLabels)} differs from ${d.metadata.name}'s ${JSON.stringify(own)}`);
  }
  return problems;
}

describe('helm chart with three replicas per service (cluster.yaml)', () => {
  let helm = '';
  let objects: K8sObject[] = [];

  before(
    async () => {
      helm = ensureHelm();
      const out = await renderChart(helm, { valuesFiles: [CLUSTER] });
      assert.equal(out.error, undefined, `helm template with cluster.yaml failed:\n${out.error}`);
      objects = out.objects;
    },
    { timeout: 300_000 },
  );

  it('lints strictly and renders only schema-valid objects', async () => {
    const res = await runHelm(helm, ['lint', '--strict', CHART_DIR, '-f', CLUSTER]);
    assert.ok(res.ok, `${res.stdout}\n${res.stderr}`);
    const problems = objects.flatMap((o) => formatProblems(`${o.kind}/${o.metadata?.name}`, validateManifest(o)).split('\n').filter(Boolean));
    assert.deepEqual(problems, []);
  });

  it('runs three replicas of every service, each with one PodDisruptionBudget that lets a node drain but never takes all pods', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment') as any[];
    assert.deepEqual(deployments.map(component).sort(), [...SERVICES].sort());
    for (const d of deployments) assert.equal(d.spec.replicas, 3, d.metadata.name);
    assert.deepEqual(pdbProblems(objects), []);
  });

  it('finds the inconsistencies: minAvailable equal to the replicas, or a PDB with no disruption left', async () => {
    const blocked = await renderChart(helm, { valuesFiles: [CLUSTER], set: ['podDisruptionBudget.minAvailable=3'] });
    assert.equal(blocked.error, undefined);
    const problems = pdbProblems(blocked.objects);
    assert.equal(problems.length, SERVICES.length, problems.join('\n'));
    assert.match(problems[0]!, /allows 0 of 3 pods to be evicted/);
    const none = await renderChart(helm, { valuesFiles: [CLUSTER], set: ['podDisruptionBudget.maxUnavailable=0'] });
    assert.equal(pdbProblems(none.objects).length, SERVICES.length);
    const single = await renderChart(helm, { valuesFiles: [CLUSTER], set: ['services.mapper.replicas=1', 'podDisruptionBudget.minAvailable=1'] });
    assert.deepEqual(
      pdbProblems(single.objects).map((p) => p.split(':')[0]),
      ['mlc-ml-connector-mapper'],
    );
  });

  it('has the topic job create topics with replication 3 and min.insync.replicas 2 (and at least 6 partitions)', () => {
    const job = objects.find((o) => o.kind === 'Job' && (o as any).spec.template.spec.containers[0].args[0] === 'topics') as any;
    assert.ok(job, 'a topics Job');
    assert.equal(hookOf(job), 'pre-install,pre-upgrade');
    const cmName = job.spec.template.spec.containers[0].envFrom.find((r: any) => r.configMapRef)?.configMapRef.name;
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === cmName) as any;
    assert.ok(cm, `the Job's ConfigMap ${cmName}`);
    assert.equal(cm.data.KAFKA_REPLICATION_FACTOR, '3');
    assert.equal(cm.data.KAFKA_MIN_INSYNC_REPLICAS, '2');
    assert.ok(Number(cm.data.KAFKA_TOPIC_PARTITIONS) >= 6, cm.data.KAFKA_TOPIC_PARTITIONS);
    // The services read the same settings (one ConfigMap content for the Job and the Deployments).
    const plain = objects.find((o) => o.kind === 'ConfigMap' && !hookOf(o)) as any;
    assert.deepEqual(plain.data, cm.data);
  });

  it('refuses min.insync.replicas above the replication factor, and defaults it to 2 from replication 3', async () => {
    const bad = await renderChart(helm, { valuesFiles: [CLUSTER], set: ['kafka.minInsyncReplicas=4'] });
    assert.match(bad.error ?? '', /kafka.minInsyncReplicas 4 is above kafka.replicationFactor 3/);
    const dflt = await renderChart(helm, { valuesFiles: [CLUSTER], set: ['kafka.minInsyncReplicas=0'] });
    assert.equal((dflt.objects.find((o) => o.kind === 'ConfigMap' && !hookOf(o)) as any).data.KAFKA_MIN_INSYNC_REPLICAS, '2');
    const one = await renderChart(helm, { valuesFiles: [CLUSTER], set: ['kafka.replicationFactor=1', 'kafka.minInsyncReplicas=0'] });
    assert.equal((one.objects.find((o) => o.kind === 'ConfigMap' && !hookOf(o)) as any).data.KAFKA_MIN_INSYNC_REPLICAS, undefined);
  });
});
