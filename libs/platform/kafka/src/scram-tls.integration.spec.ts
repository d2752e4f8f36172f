import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import { freePort, REPO_ROOT, waitFor } from '@mlc/platform-testing';
import { createKafka } from './kafka.options';

const run = promisify(execFile);
const STORE_PASS = 'test-store-pass';
const USER = 'mlc-scram';
const PASSWORD = 'scram-secret-0123';

/** Kafka's jars as deploy/local/infra.sh fetches them (Maven Central, once, into .local/kafka/libs). */
async function kafkaLibs(): Promise<string> {
  const libs = process.env['KAFKA_LIBS'] ?? join(REPO_ROOT, '.local', 'kafka', 'libs');
  if (!existsSync(join(libs, '.complete'))) {
    mkdirSync(libs, { recursive: true });
    await run('mvn', [
      '-q',
      '-B',
      '-f',
      join(REPO_ROOT, 'deploy/local/kafka-pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libs}`,
      '-DincludeScope=runtime',
    ]);
    writeFileSync(join(libs, '.complete'), '');
  }
  return libs;
}

// A short-lived JVM each: no JIT tiers beyond C1, serial GC.
const keytool = (dir: string, args: string[]) => run('keytool', ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC', ...args], { cwd: dir });

/** A CA and a broker certificate (localhost / 127.0.0.1) signed by it, made with Java's keytool. */
async function makeCertificates(dir: string): Promise<{ caPem: string; keystore: string }> {
  const common = ['-storetype', 'PKCS12', '-storepass', STORE_PASS, '-keyalg', 'RSA', '-keysize', '2048', '-validity', '2'];
  await Promise.all([
    keytool(dir, ['-genkeypair', '-alias', 'ca', '-dname', 'CN=mlc test CA', '-ext', 'bc:c', '-keystore', 'ca.p12', ...common]).then(() =>
      keytool(dir, ['-exportcert', '-rfc', '-alias', 'ca', '-keystore', 'ca.p12', '-storepass', STORE_PASS, '-file', 'ca.pem']),
    ),
    keytool(dir, ['-genkeypair', '-alias', 'broker', '-dname', 'CN=localhost', '-keystore', 'broker.p12', ...common]).then(() =>
      keytool(dir, ['-certreq', '-alias', 'broker', '-keystore', 'broker.p12', '-storepass', STORE_PASS, '-file', 'broker.csr']),
    ),
  ]);
  await keytool(dir, [
    '-gencert',
    '-rfc',
    '-alias',
    'ca',
    '-keystore',
    'ca.p12',
    '-storepass',
    STORE_PASS,
    '-infile',
    'broker.csr',
    '-outfile',
    'broker.pem',
    '-ext',
    'SAN=dns:localhost,ip:127.0.0.1',
    '-validity',
    '2',
  ]);
  await keytool(dir, ['-importcert', '-noprompt', '-alias', 'ca', '-keystore', 'broker.p12', '-storepass', STORE_PASS, '-file', 'ca.pem']);
  await keytool(dir, ['-importcert', '-noprompt', '-alias', 'broker', '-keystore', 'broker.p12', '-storepass', STORE_PASS, '-file', 'broker.pem']);
  return { caPem: join(dir, 'ca.pem'), keystore: join(dir, 'broker.p12') };
}

/**
 * The production transport (SASL/SCRAM-SHA-512 over TLS) against this test's own single KRaft broker: a SASL_SSL
 * listener with a certificate from a CA made here, the SCRAM user created when the storage is formatted
 * (`kafka-storage format --add-scram`), and our createKafka with KAFKA_SSL_CA's CA file. The shared broker is not
 * touched (own ports, own folder).
 */
describe('Kafka over SASL_SSL with SCRAM-SHA-512 (own broker, certificate made in the test)', () => {
  let dir: string;
  let broker: ChildProcess | undefined;
  let output = '';
  let port = 0;
  let caPem = '';
  const clients: Kafka[] = [];
  const kafkaAs = (password: string, opts: { trustOurCa?: boolean; retries?: number } = {}) => {
    const k = createKafka({
      brokers: [`localhost:${port}`],
      clientId: 'scram-tls-spec',
      ssl: true,
      sslCa: opts.trustOurCa === false ? undefined : caPem,
      sasl: { mechanism: 'scram-sha-512', username: USER, password },
      retries: opts.retries,
    });
    clients.push(k);
    return k;
  };

  before(
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'mlc-scram-tls-'));
      const [libs, certs, p, controller, internal] = await Promise.all([kafkaLibs(), makeCertificates(dir), freePort(), freePort(), freePort()]);
      port = p;
      caPem = certs.caPem;
      const props = join(dir, 'server.properties');
      writeFileSync(
        props,
        [
          'process.roles=broker,controller',
          'node.id=1',
          `controller.quorum.voters=1@127.0.0.1:${controller}`,
          `listeners=SASL_SSL://127.0.0.1:${port},INTERNAL://127.0.0.1:${internal},CONTROLLER://127.0.0.1:${controller}`,
          `advertised.listeners=SASL_SSL://localhost:${port},INTERNAL://127.0.0.1:${internal}`,
          'controller.listener.names=CONTROLLER',
          'inter.broker.listener.name=INTERNAL',
          'listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL',
          'sasl.enabled.mechanisms=SCRAM-SHA-512',
          'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
          'ssl.keystore.type=PKCS12',
          `ssl.keystore.location=${certs.keystore}`,
          `ssl.keystore.password=${STORE_PASS}`,
          `ssl.key.password=${STORE_PASS}`,
          'ssl.client.auth=none',
          `log.dirs=${join(dir, 'data')}`,
          'num.partitions=1',
          'auto.create.topics.enable=false',
          'offsets.topic.replication.factor=1',
          'offsets.topic.num.partitions=1',
          'transaction.state.log.replication.factor=1',
          'transaction.state.log.min.isr=1',
          'share.coordinator.state.topic.replication.factor=1',
          'share.coordinator.state.topic.min.isr=1',
          'group.initial.rebalance.delay.ms=0',
          '',
        ].join('\n'),
      );
      const log4j = join(dir, 'log4j2.yaml');
      writeFileSync(
        log4j,
        'Configuration:\n  Appenders:\n    Console: { name: STDOUT, PatternLayout: { pattern: "[%d] %p %m (%c)%n" } }\n  Loggers:\n    Root: { level: WARN, AppenderRef: [{ ref: STDOUT }] }\n',
      );
      const cp = `${libs}/*`;
      const java = ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${log4j}`, '-cp', cp];
      await run('java', [
        ...java,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        'mlcScramTlsSpecClusterA',
        '-c',
        props,
        '--add-scram',
        `SCRAM-SHA-512=[name=${USER},password=${PASSWORD}]`,
      ]);
      broker = spawn('java', [...java, 'kafka.Kafka', props], { stdio: ['ignore', 'pipe', 'pipe'] });
      broker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      broker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      // Ready when an authenticated client gets the cluster's metadata over TLS.
      await waitFor(
        async () => {
          const admin = kafkaAs(PASSWORD).admin();
          try {
            await admin.connect();
            return (await admin.describeCluster()).brokers.length === 1;
          } finally {
            await admin.disconnect().catch(() => undefined);
          }
        },
        { timeoutMs: 60_000, intervalMs: 300, what: () => `the SASL_SSL broker to answer; its output:\n${output.slice(-3000)}` },
      );
    },
    { timeout: 180_000 },
  );

  after(async () => {
    if (broker && broker.exitCode === null) {
      const exited = new Promise((r) => broker!.once('exit', r));
      broker.kill('SIGKILL');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a topic, produces and consumes over SCRAM-SHA-512 + TLS with our createKafka', async () => {
    const kafka = kafkaAs(PASSWORD);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'secure.check.v1', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'secure.check.v1', acks: -1, messages: [{ key: 't:1', value: 'over TLS with SCRAM' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'secure-check' });
    const got: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'secure.check.v1', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void got.push(`${message.key?.toString()}=${message.value?.toString()}`) });
      await waitFor(() => got.length > 0, { timeoutMs: 30_000, what: 'the record back' });
    } finally {
      await consumer.disconnect();
    }
    assert.deepEqual(got, ['t:1=over TLS with SCRAM']);
  });

  it('a wrong password is refused with an authentication error; without our CA the certificate is refused', async () => {
    const wrong = kafkaAs('not-the-password', { retries: 0 }).admin();
    await assert.rejects(wrong.connect(), (e: Error) => {
      assert.equal(e.name, 'KafkaJSSASLAuthenticationError', `${e.name}: ${e.message}`);
      assert.match(e.message, /SCRAM SHA512 authentication failed/i);
      assert.doesNotMatch(e.message, /not-the-password/, 'the password is never echoed');
      return true;
    });
    const untrusted = kafkaAs(PASSWORD, { trustOurCa: false, retries: 0 }).admin();
    await assert.rejects(untrusted.connect(), (e: Error) =>
      /self[- ]signed|unable to (get|verify)|certificate/i.test(`${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`),
    );
  });
});
