import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { DEMO_ACCOUNTING, DEMO_CREDENTIALS } from '@mlc/tenants';
import { freePort, REPO_ROOT, startService, testDatabase, testKafka, waitFor, type RunningService, type TestDatabase } from '@mlc/platform-testing';
import { runCli, type CliIo } from './cli';

const OPS = 'opskey-tenants-init';
// The standalone sandboxes' demo credentials (not secrets), standing in for a customer's.
const PAT = DEMO_CREDENTIALS.shipbob.pat;
const SB_HOOK = 'whsec_aW5pdC10ZXN0LXNoaXBib2ItaG9vayEh';
const FUSION_SECRET = DEMO_CREDENTIALS.fusion.clientSecret;
const SHOP_SECRET = DEMO_CREDENTIALS.shopify.clientSecret;

/** Starts a partner sandbox as its own process (as `npm start` does) on a free port; resolves with its URL. */
async function startSandbox(partner: 'fusion' | 'shipbob' | 'shopify', children: ChildProcess[]): Promise<string> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/libs/partners', partner, 'simulator/src/main.js')], {
    env: { ...process.env, [`${partner.toUpperCase()}_SANDBOX_PORT`]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw Object.assign(new Error(`${partner} sandbox exited: ${out}`), { fatal: true });
      // Any HTTP answer (even a 404) means it is listening.
      return (
        (await fetch(`http://127.0.0.1:${port}/`)
          .then(() => true)
          .catch(() => undefined)) || undefined
      );
    },
    { timeoutMs: 30_000, what: `${partner} sandbox listening` },
  );
  return `http://127.0.0.1:${port}`;
}
const SECRETS = [PAT, SB_HOOK, FUSION_SECRET, SHOP_SECRET];
const SCOPE = 'urn:opc:resource:fa:instanceid=1234567urn:opc:resource:consumer::all';
/** The values the standalone Fusion sandbox's setup answers to (its business unit, source, type, terms, GL, guest). */
const ACCOUNTING = { ...DEMO_ACCOUNTING };

/**
 * A stand-in in front of the real audit-projector that fixes what the webhook-subscription (part B) and doctor (part
 * C) routes answer, so these specs hold whether or not those parts are merged: `without` answers them as a server
 * without the routes does (Nest's bare 404), `with` in their published shapes (the subscription URL built from the
 * gatewayUrl it is sent; two doctor findings that fail or warn); `import down` also fails mapping imports with a 503.
 * Every other request goes to audit-projector.
 */
function startStandIn(target: () => string, parts: 'with' | 'without' | 'without, import down', servers: Server[]): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const json = (status: number, v: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      const hook = /^\/admin\/tenants\/([^/]+)\/webhooks\/(shipbob|shopify)\/subscribe$/.exec(req.url ?? '');
      const doctor = /^\/admin\/tenants\/([^/]+)\/doctor$/.exec(req.url ?? '');
      if ((hook || doctor) && parts !== 'with') return json(404, { message: `Cannot ${req.method} ${req.url}`, error: 'Not Found', statusCode: 404 });
      if (parts === 'without, import down' && /\/mappings\/[^/]+\/import/.test(req.url ?? ''))
        return json(503, { error: { code: 'TENANTS.UNAVAILABLE', message: 'the database is not answering' } });
      if (hook) {
        const gatewayUrl = (JSON.parse(body.toString() || '{}') as { gatewayUrl?: string }).gatewayUrl ?? 'https://default.example';
        const expectedUrl = `${gatewayUrl}/webhooks/${hook[2]}/${hook[1]}`;
        return json(200, {
          partner: hook[2],
          expectedUrl,
          subscriptions: [
            { id: '1', url: expectedUrl, topics: ['a'], ours: true },
            { id: '2', url: 'https://other.example', topics: ['a'], ours: false },
          ],
          missingTopics: hook[2] === 'shopify' ? ['refunds/create'] : [],
        });
      }
      if (doctor) {
        return json(200, {
          tenantId: doctor[1],
          ok: false,
          findings: [
            { check: 'fusion.credentials', partner: 'fusion', status: 'ok', message: 'token issued' },
            {
              check: 'fusion.accounting.businessUnit',
              partner: 'fusion',
              status: 'fail',
              message: 'business unit "US1 Business Unit" not found',
              fix: `mlc settings set ${doctor[1]} accounting.businessUnit="Vision Operations"`,
            },
            { check: 'shopify.scopes', partner: 'shopify', status: 'warn', message: 'write_orders not granted' },
          ],
        });
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      void fetch(`${target()}${req.url}`, { method: req.method, headers, ...(body.length ? { body } : {}) }).then(
        async (r) => res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await r.arrayBuffer())),
        () => res.writeHead(502).end(),
      );
    });
  }).listen(0, '127.0.0.1');
  servers.push(server);
  return new Promise((resolve) => server.once('listening', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

/** `mlc tenants init` against a real audit-projector (Kafka, PostgreSQL) whose pings reach the three sandboxes. */
describe('mlc tenants init', () => {
  let db: TestDatabase;
  let svc: RunningService;
  const sandboxes: ChildProcess[] = [];
  const standIns: Server[] = [];
  /** audit-projector behind a stand-in without parts B and C's routes, and behind one with them. */
  let withoutBC: string;
  let withBC: string;
  let importDown: string;
  let dir: string;
  const urls = { fusion: '', shipbob: '', shopify: '' };
  const env = { T_FUSION_SECRET: FUSION_SECRET, T_SB_PAT: PAT, T_SB_HOOK: SB_HOOK, T_SHOP_SECRET: SHOP_SECRET };

  async function mlc(
    argv: string[],
    opts: { stdin?: string; env?: Record<string, string>; url?: string } = {},
  ): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIo = {
      env: { MLC_API_URL: opts.url ?? withoutBC, MLC_API_KEY: OPS, ...env, ...opts.env },
      out: (t) => (out += t),
      err: (t) => (err += t),
      readFile: (p) => readFile(p, 'utf8'),
      writeFile: (p, t) => writeFile(p, t, 'utf8'),
      ...(opts.stdin !== undefined ? { stdin: Readable.from([opts.stdin]) } : {}),
    };
    const code = await runCli(argv, io);
    return { code, out, err };
  }

  function tenantYaml(name = 'Acme Two'): string {
    return `# onboarding file of the test
tenant:
  name: ${name}
  mode: live
connections:
  fusion:
    baseUrl: ${urls.fusion}
    auth:
      type: oauth2-client-credentials
      tokenUrl: ${urls.fusion}/oauth2/v1/token
      clientId: MLC_INTEGRATION
      clientSecret: \${T_FUSION_SECRET}
      scope: ${SCOPE}
  shipbob:
    baseUrl: ${urls.shipbob}
    channelId: 1000
    auth: { type: pat, token: "\${T_SB_PAT}" }
    webhookSecrets: ["\${T_SB_HOOK}"]
  shopify:
    baseUrl: ${urls.shopify}
    shopDomain: mlc-demo.myshopify.com
    apiVersion: 2026-10
    auth: { type: client-credentials, clientId: sim-client-id, clientSecret: "\${T_SHOP_SECRET}" }
    webhookSecrets: ["\${T_SHOP_SECRET}"]
settings:
  accounting:
${Object.entries(ACCOUNTING)
  .map(([k, v]) => `    ${k}: "${v}"`)
  .join('\n')}
mappings:
  item-product: maps/items.csv
  ship-to-fc: maps/fc.csv
webhooks:
  shipbob: true
  shopify: true
`;
  }

  /** What must be equal between two onboardings of the same answers. */
  async function shape(id: string): Promise<unknown> {
    const show = await mlc(['tenants', 'show', id, '--json']);
    assert.equal(show.code, 0, show.err);
    const t = JSON.parse(show.out);
    const items = JSON.parse((await mlc(['mappings', 'list', id, 'item-product', '--json'])).out);
    return {
      name: t.name,
      mode: t.mode,
      settings: t.settings,
      mappingCounts: t.mappingCounts,
      items,
      connections: t.connections.map((c: any) => ({
        partner: c.partner,
        baseUrl: c.baseUrl,
        authType: c.authType,
        settings: c.settings,
        secretsSet: c.secretsSet,
      })),
    };
  }

  before(async () => {
    const { suffix } = await testKafka('tenantsinit');
    db = await testDatabase('tenantsinit');
    [urls.fusion, urls.shipbob, urls.shopify] = await Promise.all([
      startSandbox('fusion', sandboxes),
      startSandbox('shipbob', sandboxes),
      startSandbox('shopify', sandboxes),
    ]);
    svc = await startService('audit-projector', {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      MLC_OPERATOR_API_KEYS: `${OPS}:*`,
      OPS_LAG_GROUPS: `none${suffix}`,
    });
    withoutBC = await startStandIn(() => svc.url, 'without', standIns);
    withBC = await startStandIn(() => svc.url, 'with', standIns);
    importDown = await startStandIn(() => svc.url, 'without, import down', standIns);
    dir = await mkdtemp(join(tmpdir(), 'mlc-init-'));
    await mkdir(join(dir, 'maps'));
    await writeFile(join(dir, 'maps/items.csv'), 'fusionItem,shipbobSku,shipbobProductId\nITEM-1,ML-1001,\nITEM-2,ML-1002,\n');
    await writeFile(join(dir, 'maps/fc.csv'), 'shipToLocation,fulfillmentCenterId\nSeattle,10\n');
    await writeFile(join(dir, 'maps/items-bad.csv'), 'fusionItem,shipbobSku,shipbobProductId\nITEM-1,ML-1001,\nITEM-2,,x\n');
    await writeFile(join(dir, 'tenant.yaml'), tenantYaml());
  });

  after(async () => {
    for (const st of standIns) st.close();
    await svc?.stop();
    await Promise.all(
      sandboxes.map((c) =>
        c.exitCode !== null
          ? undefined
          : new Promise((r) => {
              c.once('exit', r);
              c.kill('SIGTERM');
            }),
      ),
    );
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('onboards a tenant from a YAML file with ${ENV} secrets; no secret in the output', async () => {
    const r = await mlc(['tenants', 'init', 'acme2', '--from', join(dir, 'tenant.yaml')]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^\[1\/7\] tenant: created acme2 "Acme Two" \(live, config version 1\)\n/);
    assert.match(r.out, /\n\[2\/7\] connections: set fusion \(1 secrets set\), shipbob \(2 secrets set\), shopify \(2 secrets set\)\n/);
    assert.match(r.out, /\n\[3\/7\] settings: set accounting \(config version \d+\)\n/);
    assert.match(r.out, /\n\[4\/7\] mappings: imported 2 item-product rows, 1 ship-to-fc rows\n/);
    assert.match(r.out, /\n\[6\/7\] pings: fusion ok, shipbob ok, shopify ok\n/);
    // Parts B and C are not on this server (the stand-in answers as one without them): those steps say so and go on.
    assert.match(r.out, /\n\[5\/7\] webhooks: skipped: this server has no POST \/admin\/tenants\/:id\/webhooks\/:partner\/subscribe\n/);
    assert.match(r.out, /\n\[7\/7\] doctor: skipped: this server has no GET \/admin\/tenants\/:id\/doctor\n/);
    for (const s of SECRETS) assert.ok(!(r.out + r.err).includes(s), 'no secret in the output');

    const t = (await shape('acme2')) as any;
    assert.equal(t.name, 'Acme Two');
    assert.deepEqual(t.settings.accounting, ACCOUNTING);
    assert.equal(t.mappingCounts['item-product'], 2);
    assert.equal(t.mappingCounts['ship-to-fc'], 1);
    assert.deepEqual(
      t.items.map((e: any) => [e.key, e.value.shipbobSku]),
      [
        ['ITEM-1', 'ML-1001'],
        ['ITEM-2', 'ML-1002'],
      ],
    );
    assert.deepEqual(
      t.connections.map((c: any) => [c.partner, c.baseUrl, c.authType]),
      [
        ['fusion', urls.fusion, 'oauth2-client-credentials'],
        ['shipbob', urls.shipbob, 'pat'],
        ['shopify', urls.shopify, 'client-credentials'],
      ],
    );
    const shown = await mlc(['tenants', 'show', 'acme2']);
    for (const s of SECRETS) assert.ok(!shown.out.includes(s));
  });

  it('a re-run is idempotent: same tenant, same rows, exit 0', async () => {
    const before = await shape('acme2');
    const r = await mlc(['tenants', 'init', 'acme2', '--from', join(dir, 'tenant.yaml'), '--skip-doctor']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^\[1\/7\] tenant: acme2 exists; reused\n/);
    assert.match(
      r.out,
      /\n\[2\/7\] connections: set fusion \(1 secrets set\), shipbob \(2 secrets set; kept the stored webhook secrets\), shopify \(2 secrets set; kept the stored webhook secrets\)\n/,
    );
    assert.match(r.out, /\n\[7\/7\] doctor: skipped \(--skip-doctor\)\n/);
    assert.deepEqual(await shape('acme2'), before);
    const list = await mlc(['tenants', 'list', '--json']);
    assert.deepEqual(
      JSON.parse(list.out).map((x: any) => x.id),
      ['acme2'],
    );
  });

  it('refuses a tenant that exists under another name, writing nothing', async () => {
    await writeFile(join(dir, 'renamed.yaml'), tenantYaml('Someone Else'));
    const before = await shape('acme2');
    const r = await mlc(['tenants', 'init', 'acme2', '--from', join(dir, 'renamed.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /step \[1\/7\] tenant failed: tenant acme2 already exists with the name "Acme Two", not "Someone Else"/);
    assert.match(r.err, /already done: nothing; re-running is safe/);
    assert.deepEqual(await shape('acme2'), before);
  });

  it('reports every problem of a bad file at once and writes nothing', async () => {
    const bad = tenantYaml()
      .replace('token: "${T_SB_PAT}"', 'token: sbpat_literal_in_the_file_000000000')
      .replace('"101-10-4000-000"', '"4000"')
      .replace('maps/items.csv', 'maps/items-bad.csv');
    await writeFile(join(dir, 'bad.yaml'), bad);
    const r = await mlc(['tenants', 'init', 'acme3', '--from', join(dir, 'bad.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /has 3 problems; nothing was written:\n/);
    assert.match(r.err, /\n {2}connections\.shipbob\.auth\.token: is a secret written into the file: remove it and write \$\{ENV_VAR\} instead/);
    assert.match(r.err, /\n {2}settings\.accounting\.revenueAccountCombination: must be account segments joined by "-" or "\."/);
    assert.match(r.err, /\n {2}mappings\.item-product: maps\/items-bad\.csv line 3: shipbobProductId: must be a positive whole number\n/);
    assert.ok(!r.err.includes('sbpat_literal_in_the_file'), 'the literal secret is not echoed');
    const show = await mlc(['tenants', 'show', 'acme3']);
    assert.equal(show.code, 1);
    assert.match(show.err, /TENANTS\.NOT_FOUND \(404\)/);

    // A YAML syntax error is reported by line and column, without the excerpt (the line could hold a secret).
    await writeFile(join(dir, 'broken.yaml'), tenantYaml().replace('token: "${T_SB_PAT}" }', 'token: sbpat_typed_here: oops }'));
    const broken = await mlc(['tenants', 'init', 'acme3', '--from', join(dir, 'broken.yaml')]);
    assert.equal(broken.code, 1);
    assert.match(broken.err, /^error: \S+broken\.yaml is not valid YAML: .* at line 17, column \d+; nothing was written\n$/);
    assert.ok(!broken.err.includes('sbpat_typed_here'));
    const missing = await mlc(['tenants', 'init', 'acme3', '--from', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /^error: cannot read \S+nope\.yaml \(ENOENT\); nothing was written\n$/);

    const unset = await mlc(['tenants', 'init', 'acme3', '--from', join(dir, 'tenant.yaml')], { env: { T_SB_PAT: '' } });
    assert.equal(unset.code, 1);
    assert.match(
      unset.err,
      /has 1 problem; nothing was written:\n {2}connections\.shipbob\.auth\.token: refers to the environment variable T_SB_PAT, which is not set\n/,
    );
    assert.equal((await mlc(['tenants', 'show', 'acme3'])).code, 1);
  });

  it('a step that fails names itself and what was done; the same command then finishes the onboarding', async () => {
    await writeFile(join(dir, 'eight.yaml'), tenantYaml('Acme Eight'));
    const failed = await mlc(['tenants', 'init', 'acme8', '--from', join(dir, 'eight.yaml')], { url: importDown });
    assert.equal(failed.code, 1);
    assert.match(failed.out, /\[3\/7\] settings: set accounting/);
    assert.doesNotMatch(failed.out, /\[4\/7\]/);
    assert.match(
      failed.err,
      /^error: step \[4\/7\] mappings failed: TENANTS\.UNAVAILABLE \(503\): the database is not answering\nalready done: tenant, connections, settings; re-running is safe \(each step sets the same values again\): mlc tenants init acme8 --from \S+eight\.yaml\n$/,
    );
    const half = (await shape('acme8')) as any;
    assert.equal(half.mappingCounts['item-product'], 0);
    assert.equal(half.connections.length, 3);

    const again = await mlc(['tenants', 'init', 'acme8', '--from', join(dir, 'eight.yaml')]);
    assert.equal(again.code, 0, again.out + again.err);
    assert.match(again.out, /\[4\/7\] mappings: imported 2 item-product rows, 1 ship-to-fc rows\n/);
    const { name: _n, ...done } = (await shape('acme8')) as any;
    const { name: _m, ...reference } = (await shape('acme2')) as any;
    assert.deepEqual(done, reference);
  });

  it('interactive answers from piped stdin make the same tenant; --save writes them as a file without secrets', async () => {
    const answers = [
      'Acme Two',
      'live',
      'y',
      'pod.example.com',
      urls.fusion,
      '',
      `${urls.fusion}/oauth2/v1/token`,
      'MLC_INTEGRATION',
      FUSION_SECRET,
      SCOPE,
      '',
      '',
      urls.shipbob,
      '',
      PAT,
      'abc',
      '1000',
      'whsec_short',
      SB_HOOK,
      'y',
      'mlc-demo.myshopify.com',
      urls.shopify,
      '2026-10',
      '',
      'sim-client-id',
      SHOP_SECRET,
      '',
      'y',
      ...['businessUnit', 'transactionSource', 'transactionType', 'paymentTerms', 'revenueAccountCombination', 'guestCustomerAccountNumber'].map(
        (k) => ACCOUNTING[k as keyof typeof ACCOUNTING],
      ),
      '',
      '',
      join(dir, 'maps/nope.csv'),
      join(dir, 'maps/items-bad.csv'),
      join(dir, 'maps/items.csv'),
      '',
      join(dir, 'maps/fc.csv'),
      '',
      '',
      '',
      '',
    ];
    const saved = join(dir, 'saved.yaml');
    const r = await mlc(['tenants', 'init', 'acme4', '--save', saved], { stdin: `${answers.join('\n')}\n` });
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, /Fusion base URL: /);
    assert.match(r.err, /Business unit: /);
    // A wrong answer is refused as it is given, and the question asked again.
    assert.match(r.err, /Fusion base URL: \n {2}must be an absolute URL; again please\nFusion base URL: \n/);
    assert.match(r.err, /Channel id: \n {2}the channel id is a number; again please\n/);
    assert.match(r.err, /Webhook secret: \n {2}that is not "whsec_" followed by 32 base64 characters; again please\n/);
    assert.match(r.err, /\n {2}cannot read \S+nope\.csv \(ENOENT\); again please\n/);
    assert.match(r.err, /\n {2}\S+items-bad\.csv: line 3: shipbobProductId: must be a positive whole number; again please\n/);
    assert.ok(!r.err.includes('whsec_short'), 'a refused secret is not repeated');
    for (const s of SECRETS) assert.ok(!(r.out + r.err).includes(s), 'no secret in the output');
    assert.match(r.out, /\[4\/7\] mappings: imported 2 item-product rows, 1 ship-to-fc rows\n/);
    assert.deepEqual(await shape('acme4'), await shape('acme2'));

    const file = await readFile(saved, 'utf8');
    for (const s of SECRETS) assert.ok(!file.includes(s), 'no secret in the saved file');
    assert.match(file, /clientSecret: \$\{ACME4_FUSION_AUTH_CLIENT_SECRET\}/);
    assert.match(r.err, /before running it, set ACME4_FUSION_AUTH_CLIENT_SECRET, ACME4_SHIPBOB_AUTH_TOKEN, ACME4_SHIPBOB_WEBHOOK_SECRETS, /);
    assert.match(file, /item-product: maps\/items\.csv/);

    // The saved file replays the same onboarding (secrets from the environment).
    const again = await mlc(['tenants', 'init', 'acme4', '--from', saved, '--skip-doctor'], {
      env: {
        ACME4_FUSION_AUTH_CLIENT_SECRET: FUSION_SECRET,
        ACME4_SHIPBOB_AUTH_TOKEN: PAT,
        ACME4_SHIPBOB_WEBHOOK_SECRETS: SB_HOOK,
        ACME4_SHOPIFY_AUTH_CLIENT_SECRET: SHOP_SECRET,
        ACME4_SHOPIFY_WEBHOOK_SECRETS: SHOP_SECRET,
      },
    });
    assert.equal(again.code, 0, again.out + again.err);
    assert.deepEqual(await shape('acme4'), await shape('acme2'));
  });

  it("interactive in demo mode offers the sandboxes' demo values: Enter takes them, secrets included, never shown", async () => {
    const answers = [
      '',
      'demo',
      '',
      urls.fusion,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      urls.shipbob,
      '',
      '',
      '',
      '',
      '',
      '',
      urls.shopify,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      'n',
      'n',
    ];
    const r = await mlc(['tenants', 'init', 'acme7', '--skip-doctor'], { stdin: `${answers.join('\n')}\n` });
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.err, /Token URL \[http:\/\/127\.0\.0\.1:\d+\/oauth2\/v1\/token\]: /);
    assert.match(r.err, /Client secret \[Enter: the sandbox's demo value\]: /);
    assert.match(r.out, /\[1\/7\] tenant: created acme7 "acme7" \(demo, config version 1\)\n/);
    assert.match(r.out, /\[5\/7\] webhooks: skipped: none asked for\n/);
    assert.match(r.out, /\[6\/7\] pings: fusion ok, shipbob ok, shopify ok\n/);
    for (const s of [
      DEMO_CREDENTIALS.fusion.clientSecret,
      DEMO_CREDENTIALS.shipbob.pat,
      DEMO_CREDENTIALS.shipbob.webhookSecret,
      DEMO_CREDENTIALS.shopify.clientSecret,
    ])
      assert.ok(!(r.out + r.err).includes(s));
    const t = (await shape('acme7')) as any;
    assert.deepEqual(t.settings.accounting, DEMO_ACCOUNTING);
    assert.equal(t.connections.find((c: any) => c.partner === 'shopify').authType, 'client-credentials');
  });

  it('a failed ping exits 3 and names the connection', async () => {
    const wrong = tenantYaml('Acme Five');
    await writeFile(join(dir, 'five.yaml'), wrong);
    const r = await mlc(['tenants', 'init', 'acme5', '--from', join(dir, 'five.yaml')], { env: { T_SB_PAT: 'sbpat_wrong_token_0000000000000000000000000' } });
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(r.out, /\[6\/7\] pings: fusion ok, shipbob FAILED \(authentication/);
    assert.match(r.out, /tenant acme5 is set up, but 1 check\(s\) failed/);
    assert.ok(!(r.out + r.err).includes('sbpat_wrong_token'));
  });

  it('with the webhook and doctor routes of parts B and C: subscribes at the gateway URL, prints doctor failures with their fixes, exits 3', async () => {
    await writeFile(join(dir, 'six.yaml'), tenantYaml('Acme Six'));
    const r = await mlc(['tenants', 'init', 'acme6', '--from', join(dir, 'six.yaml'), '--gateway-url', 'https://hooks.example.com'], { url: withBC });
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(
      r.out,
      /\n\[5\/7\] webhooks: subscribed shipbob -> https:\/\/hooks\.example\.com\/webhooks\/shipbob\/acme6: 1 subscription\(s\); shopify -> https:\/\/hooks\.example\.com\/webhooks\/shopify\/acme6: 1 subscription\(s\), MISSING topics refunds\/create\n/,
    );
    assert.match(
      r.out,
      /\n\[7\/7\] doctor: 1 check\(s\) FAILED\n {6}FAIL fusion\.accounting\.businessUnit \(fusion\): business unit "US1 Business Unit" not found\n {8}fix: mlc settings set acme6 accounting\.businessUnit="Vision Operations"\n {6}WARN shopify\.scopes \(shopify\): write_orders not granted\n/,
    );
    assert.match(r.out, /tenant acme6 is set up, but 2 check\(s\) failed/);
    const json = await mlc(['tenants', 'init', 'acme6', '--from', join(dir, 'six.yaml'), '--json'], { url: withBC });
    assert.equal(json.code, 3);
    const summary = JSON.parse(json.out);
    assert.equal(summary.ok, false);
    assert.deepEqual(
      summary.steps.map((s: any) => [s.step, s.status]),
      [
        ['tenant', 'done'],
        ['connections', 'done'],
        ['settings', 'done'],
        ['mappings', 'done'],
        ['webhooks', 'done'],
        ['pings', 'done'],
        ['doctor', 'done'],
      ],
    );
    assert.equal(summary.doctor.findings[1].fix, 'mlc settings set acme6 accounting.businessUnit="Vision Operations"');
    assert.match(json.err, /^\[1\/7\] tenant: acme6 exists; reused\n/, 'progress on stderr with --json');
  });
});
