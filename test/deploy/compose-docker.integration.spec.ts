// The compose stack and the image must agree with the chart: same env keys, same service names, same
// entrypoint contract (first argument picks the service or job). Neither can run here (no Docker engine),
// so the checks are static, plus the entrypoint script run with a stand-in `node`.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, VALUES_DIR, ensureHelm, renderChart, type K8sObject } from './helm.runner';

const SERVICES = ['oracle-poller', 'webhook-gateway', 'mapper', 'shipbob-writer', 'fusion-writer', 'audit-projector'];
const compose = parse(readFileSync(join(REPO_ROOT, 'deploy', 'compose', 'docker-compose.yml'), 'utf8'), { merge: true });
const dockerfile = readFileSync(join(REPO_ROOT, 'deploy', 'docker', 'Dockerfile'), 'utf8');
const entrypoint = join(REPO_ROOT, 'deploy', 'docker', 'entrypoint.sh');

let chartEnvKeys = new Set<string>();

before(
  async () => {
    const out = await renderChart(ensureHelm(), { valuesFiles: [join(VALUES_DIR, 'production.yaml')] });
    assert.equal(out.error, undefined, out.error);
    const keys = new Set<string>();
    for (const o of out.objects as (K8sObject & { data?: Record<string, string> })[]) {
      if ((o.kind === 'ConfigMap' || o.kind === 'Secret') && o.data) for (const k of Object.keys(o.data)) keys.add(k);
      if (o.kind === 'Deployment') for (const e of (o as any).spec.template.spec.containers[0].env) keys.add(e.name);
    }
    chartEnvKeys = keys;
  },
  { timeout: 300_000 },
);

describe('docker-compose stack', () => {
  it('runs every service from the one image with the argument the chart passes, after migrate and topics', () => {
    for (const name of SERVICES) {
      const svc = compose.services[name];
      assert.ok(svc, `compose service ${name}`);
      assert.deepEqual(svc.command, [name]);
      assert.equal(svc.image, compose.services.migrate.image);
      assert.equal(svc.depends_on.migrate.condition, 'service_completed_successfully');
      assert.equal(svc.depends_on.topics.condition, 'service_completed_successfully');
      assert.equal(svc.read_only, true);
      assert.equal(svc.user, '10001:10001');
      assert.match(svc.healthcheck.test.join(' '), /\/health\/ready/);
    }
    assert.deepEqual(compose.services.migrate.command, ['migrate']);
    assert.deepEqual(compose.services.topics.command, ['topics']);
    assert.equal(compose.services.migrate.build.dockerfile, 'deploy/docker/Dockerfile');
  });

  it('uses only environment keys the chart also sets, and every key the services need', () => {
    assert.ok(chartEnvKeys.size > 10, `chart env keys: ${[...chartEnvKeys].join(', ')}`);
    for (const name of SERVICES) {
      const env = Object.keys(compose.services[name].environment);
      const unknown = env.filter((k) => !chartEnvKeys.has(k));
      assert.deepEqual(unknown, [], `${name} sets keys the chart does not`);
      for (const k of ['KAFKA_BROKERS', 'KAFKA_CLIENT_ID', 'DATABASE_URL', 'MLC_ENCRYPTION_KEYS', 'PORT', 'LOG_LEVEL'])
        assert.ok(env.includes(k), `${name} lacks ${k}`);
      assert.equal(compose.services[name].environment.MLC_SERVICE, name);
    }
  });

  it('runs Kafka in KRaft mode from apache/kafka and Postgres, both with health checks', () => {
    const kafka = compose.services.kafka;
    assert.match(kafka.image, /^apache\/kafka:/);
    assert.equal(kafka.environment.KAFKA_PROCESS_ROLES, 'broker,controller');
    assert.match(kafka.environment.KAFKA_ADVERTISED_LISTENERS, /PLAINTEXT:\/\/kafka:9092/);
    assert.equal(compose.services['oracle-poller'].environment.KAFKA_BROKERS, 'kafka:9092');
    assert.ok(kafka.healthcheck && compose.services.postgres.healthcheck);
    assert.match(compose.services['oracle-poller'].environment.DATABASE_URL, /@postgres:5432\//);
  });
});

describe('Dockerfile and entrypoint', () => {
  it('builds on Node 24 in stages with npm ci, npm run build and a pruned, non-root runtime', () => {
    assert.match(dockerfile, /ARG NODE_IMAGE=node:24-slim/);
    assert.equal((dockerfile.match(/^FROM /gm) ?? []).length, 2);
    assert.match(dockerfile, /npm ci/);
    assert.match(dockerfile, /npm run build/);
    assert.match(dockerfile, /npm prune --omit=dev/);
    assert.match(dockerfile, /^USER 10001:10001$/m);
    assert.match(dockerfile, /ENTRYPOINT \["\/usr\/local\/bin\/mlc-entrypoint"\]/);
  });

  describe('entrypoint.sh', () => {
    let bin = '';
    const run = (args: string[], env: Record<string, string> = {}) => {
      try {
        return {
          code: 0,
          out: execFileSync('sh', [entrypoint, ...args], {
            env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        };
      } catch (err) {
        const e = err as { status: number; stderr: string };
        return { code: e.status, out: e.stderr };
      }
    };
    before(() => {
      bin = mkdtempSync(join(tmpdir(), 'mlc-entry-'));
      // A stand-in `node` that prints what it would run.
      writeFileSync(join(bin, 'node'), '#!/bin/sh\necho "node $*"\n');
      chmodSync(join(bin, 'node'), 0o755);
      process.on('exit', () => rmSync(bin, { recursive: true, force: true }));
    });

    it('starts each service as node dist/services/<name>/src/main.js', () => {
      for (const name of SERVICES) assert.deepEqual(run([name]), { code: 0, out: `node dist/services/${name}/src/main.js\n` });
    });

    it('takes the service from MLC_SERVICE when no argument is given', () => {
      assert.deepEqual(run([], { MLC_SERVICE: 'mapper' }), { code: 0, out: 'node dist/services/mapper/src/main.js\n' });
    });

    it('runs the migration and topic tools for the hook jobs', () => {
      assert.equal(run(['migrate']).out, 'node dist/tools/migrate.js\n');
      assert.equal(run(['topics', '--dry-run']).out, 'node dist/tools/topics.js --dry-run\n');
    });

    it('refuses unknown targets with a usage message', () => {
      const res = run(['billing']);
      assert.equal(res.code, 64);
      assert.match(res.out, /usage/);
    });
  });
});
