import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { csvToMappings, TenantValidationError } from '@mlc/tenants';
import { REPO_ROOT } from '@mlc/platform-testing';
import { checkTenantDocument, envNameFor, type CsvChecker, type PlanContext } from './tenants-init.plan';

const EXAMPLE = join(REPO_ROOT, 'docs/examples/tenant.yaml');
const checkCsv: CsvChecker = (kind, csv) => {
  try {
    return { rows: csvToMappings(kind, csv).length };
  } catch (err) {
    if (err instanceof TenantValidationError) return { problems: err.problems };
    throw err;
  }
};
const ENV = {
  ACME_FUSION_CLIENT_SECRET: 'fusion-secret',
  ACME_FUSION_SOAP_PASSWORD: 'soap-password',
  ACME_SHIPBOB_PAT: 'pat-value',
  ACME_SHIPBOB_WEBHOOK_SECRET: 'whsec_aW5pdC10ZXN0LXNoaXBib2ItaG9vayEh',
  ACME_SHOPIFY_CLIENT_SECRET: 'shopify-secret',
};
const ctx = (env: NodeJS.ProcessEnv = ENV): PlanContext => ({
  env,
  secrets: 'env',
  baseDir: join(REPO_ROOT, 'docs/examples'),
  readFile: (p) => readFile(p, 'utf8'),
  checkCsv,
});

describe('tenant.yaml checks', () => {
  it('the documented example (docs/examples/tenant.yaml) passes, secrets resolved from the environment', async () => {
    const r = await checkTenantDocument(parse(await readFile(EXAMPLE, 'utf8')), ctx());
    assert.ok('plan' in r, JSON.stringify(r));
    assert.deepEqual(
      r.plan.connections.map((c) => c.partner),
      ['fusion', 'shipbob', 'shopify'],
    );
    const fusion = r.plan.connections[0]!.body as any;
    assert.equal(fusion.auth.clientSecret, 'fusion-secret');
    assert.deepEqual(fusion.soapAuth, { type: 'basic', username: 'mlc.integration', password: 'soap-password' });
    const shipbob = r.plan.connections[1]!.body as any;
    assert.equal(shipbob.channelId, '123456');
    assert.deepEqual(shipbob.webhookSecrets, [ENV.ACME_SHIPBOB_WEBHOOK_SECRET]);
    assert.deepEqual(r.plan.settings?.['dryRun'], { purchaseOrders: true, receivables: true });
    assert.equal(r.plan.settings?.['initialLookbackDays'], 30);
    assert.deepEqual(
      r.plan.mappings.map((m) => [m.kind, m.rows]),
      [
        ['item-product', 3],
        ['supplier-fc', 1],
        ['ship-to-fc', 2],
        ['ship-to-address', 1],
        ['shipbob-event-rule', 5],
      ],
    );
    assert.deepEqual(r.plan.webhooks.partners, ['shipbob', 'shopify']);
  });

  it('lists every problem with its path, never a value', async () => {
    const doc = parse(await readFile(EXAMPLE, 'utf8'));
    doc.tenant.mode = 'staging';
    doc.connections.fusion.auth.clientSecret = 'literal-fusion-secret';
    doc.connections.shipbob.baseUrl = 'http://api.shipbob.com';
    doc.connections.shopify.apiVersion = '2026-11';
    doc.settings.pollingIntervalsMs.receiptsMs = -5;
    doc.settings.colour = 'blue';
    doc.mappings['item-product'] = 'mappings/missing.csv';
    doc.webhooks.shopify = 'yes';
    const r = await checkTenantDocument(doc, ctx({ ...ENV, ACME_SHIPBOB_PAT: undefined }));
    assert.ok('problems' in r);
    assert.deepEqual(
      r.problems.map((p) => p.path),
      [
        'tenant.mode',
        'connections.fusion.auth.clientSecret',
        'connections.shipbob.baseUrl',
        'connections.shipbob.auth.token',
        'connections.shopify.apiVersion',
        'settings.colour',
        'settings.pollingIntervalsMs.receiptsMs',
        'mappings.item-product',
        'webhooks.shopify',
      ],
    );
    assert.ok(!JSON.stringify(r.problems).includes('literal-fusion-secret'));
    assert.match(r.problems[3]!.reason, /ACME_SHIPBOB_PAT, which is not set/);
  });

  it('names environment variables after tenant, partner and field', () => {
    assert.equal(envNameFor('acme-eu', 'fusion', 'auth.clientSecret'), 'ACME_EU_FUSION_AUTH_CLIENT_SECRET');
    assert.equal(envNameFor('acme', 'fusion', 'soapAuth.password'), 'ACME_FUSION_SOAP_AUTH_PASSWORD');
    assert.equal(envNameFor('acme', 'shipbob', 'webhookSecrets[0]'), 'ACME_SHIPBOB_WEBHOOK_SECRETS');
    assert.equal(envNameFor('acme', 'shipbob', 'webhookSecrets[1]'), 'ACME_SHIPBOB_WEBHOOK_SECRETS_1');
  });
});
