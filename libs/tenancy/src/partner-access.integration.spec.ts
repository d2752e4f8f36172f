import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { DEMO_SEED, ShipbobSandbox } from '@mlc/partners-shipbob-simulator';
import { ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { requestShipbobToken } from '@mlc/partners-shipbob-client';
import { createCustomerAccount, createInvoiceCreditMemo } from '@mlc/partners-fusion-client';
import type { AppError } from '@mlc/platform-errors';
import { freePort, testDatabase, type TestDatabase } from '@mlc/platform-testing';
import {
  ConnectionPingService,
  createTenantsDataSource,
  DEMO_CREDENTIALS,
  InMemoryTenantChangePublisher,
  SecretBox,
  seedDemoTenant,
  TenantConfigService,
  TokenManager,
  type Partner,
} from '@mlc/tenants';
import { PartnerClients } from './partner.clients';
import { partnerPingers } from './partner.pingers';
import { TenantDirectory } from './tenant.directory';

const KEYS = SecretBox.generateKey('k1');
const CANARY = 'canary-wrong-secret-7f3a9c';

describe('partner access for tenants: pings and shared tokens against the sandboxes (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ds2: DataSource;
  let config: TenantConfigService;
  let tokens: TokenManager;
  let ping: ConnectionPingService;
  let fusion: FusionSandbox;
  let shipbob: ShipbobSandbox;
  let shopify: ShopifySandbox;
  const urls = { fusion: '', shipbob: '', shopify: '' };

  before(async () => {
    db = await testDatabase('tenancy_partners');
    ds = createTenantsDataSource(db.url);
    ds2 = createTenantsDataSource(db.url);
    await ds.initialize();
    await ds2.initialize();
    config = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(KEYS), publisher: new InMemoryTenantChangePublisher(), snapshotCacheTtlMs: 0 });
    tokens = new TokenManager({ dataSource: ds, secretBox: new SecretBox(KEYS) });
    ping = new ConnectionPingService(config, partnerPingers({ tokens }));
    fusion = new FusionSandbox();
    shipbob = new ShipbobSandbox();
    shipbob.seedData(DEMO_SEED);
    shopify = new ShopifySandbox();
    urls.fusion = await fusion.listen(0);
    urls.shipbob = await shipbob.listen(0);
    urls.shopify = await shopify.listen(0);
    // The demo tenant as `npm start` seeds it, only with the sandboxes on port 0.
    await seedDemoTenant(config, { urls });
  });
  after(async () => {
    await Promise.all([fusion?.close(), shipbob?.close(), shopify?.close()]);
    await ds?.destroy();
    await ds2?.destroy();
    await db?.drop();
  });

  const PARTNERS: Partner[] = ['fusion', 'shipbob', 'shopify'];

  it('pings each sandbox successfully with the demo credentials (token + one authenticated read)', async () => {
    for (const p of PARTNERS) {
      const r = await ping.pingConnection('demo', p);
      assert.deepEqual(
        { p, reachable: r.reachable, authenticated: r.authenticated, failedCheck: r.failedCheck },
        { p, reachable: true, authenticated: true, failedCheck: null },
        r.message,
      );
    }
    assert.ok(
      fusion.requests().some((r) => r.path === '/oauth2/v1/token' && r.status === 200),
      'Fusion token endpoint called',
    );
    assert.ok(
      shipbob.requests().some((r) => r.path === '/2026-01/channel' && r.status === 200),
      'ShipBob /channel read',
    );
    assert.ok(
      shopify.requests().some((r) => r.path === '/admin/oauth/access_token' && r.status === 200),
      'Shopify client credentials grant',
    );
  });

  it('reports a wrong secret as an authentication failure with a clear message, never echoing the secret', async () => {
    await config.createTenant({ id: 'wrong', name: 'Wrong secrets', mode: 'demo' }, 'test');
    const c = DEMO_CREDENTIALS;
    await config.setConnection(
      'wrong',
      {
        partner: 'fusion',
        baseUrl: urls.fusion,
        auth: {
          type: 'oauth2-client-credentials',
          tokenUrl: `${urls.fusion}/oauth2/v1/token`,
          clientId: c.fusion.clientId,
          clientSecret: CANARY,
          scope: c.fusion.scope,
        },
      },
      'test',
    );
    await config.setConnection(
      'wrong',
      {
        partner: 'shipbob',
        baseUrl: urls.shipbob,
        channelId: c.shipbob.channelId,
        webhookSecrets: [c.shipbob.webhookSecret],
        auth: { type: 'pat', token: CANARY },
      },
      'test',
    );
    await config.setConnection(
      'wrong',
      {
        partner: 'shopify',
        baseUrl: urls.shopify,
        shopDomain: c.shopify.shopDomain,
        apiVersion: c.shopify.apiVersion,
        webhookSecrets: ['x'],
        auth: { type: 'client-credentials', clientId: c.shopify.clientId, clientSecret: CANARY },
      },
      'test',
    );
    const results = Object.fromEntries(await Promise.all(PARTNERS.map(async (p) => [p, await ping.pingConnection('wrong', p)] as const)));
    for (const p of PARTNERS) {
      const r = results[p]!;
      assert.equal(r.failedCheck, 'authentication', `${p}: ${r.message}`);
      assert.equal(r.reachable, true, p);
      assert.equal(r.authenticated, false, p);
      assert.ok(!r.message.includes(CANARY), `${p} message echoes the secret`);
    }
    assert.match(
      results['fusion']!.message,
      /Fusion refused the credentials \(OAuth client id \/ secret \/ scope at the token endpoint\).*401.*Client authentication failed/,
    );
    assert.match(results['shipbob']!.message, /ShipBob refused the credentials \(personal access token\).*401/);
    assert.match(results['shopify']!.message, /Shopify refused the credentials \(client id \/ secret\).*invalid_client/);
  });

  it('reports an unreachable URL as a network failure', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await config.createTenant({ id: 'offline', name: 'Nothing listens', mode: 'demo' }, 'test');
    const c = DEMO_CREDENTIALS;
    await config.setConnection('offline', { partner: 'fusion', baseUrl: closed, auth: { type: 'basic', username: 'u', password: 'p' } }, 'test');
    await config.setConnection(
      'offline',
      { partner: 'shipbob', baseUrl: closed, channelId: '1', webhookSecrets: [c.shipbob.webhookSecret], auth: { type: 'pat', token: 't' } },
      'test',
    );
    await config.setConnection(
      'offline',
      {
        partner: 'shopify',
        baseUrl: closed,
        shopDomain: c.shopify.shopDomain,
        apiVersion: c.shopify.apiVersion,
        webhookSecrets: ['x'],
        auth: { type: 'access-token', accessToken: 't' },
      },
      'test',
    );
    for (const p of PARTNERS) {
      const r = await ping.pingConnection('offline', p);
      assert.deepEqual(
        { p, reachable: r.reachable, authenticated: r.authenticated, failedCheck: r.failedCheck },
        { p, reachable: false, authenticated: false, failedCheck: 'network' },
      );
      assert.match(r.message, /cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)/);
    }
  });

  it('shares Fusion tokens between replicas (one token call) and retries once with a fresh token after a 401', async () => {
    const before = fusion.requests().filter((r) => r.path === '/oauth2/v1/token').length;
    // Two replicas: separate directories, token managers and connection pools on one database.
    const configB = new TenantConfigService({ dataSource: ds2, secretBox: new SecretBox(KEYS), publisher: new InMemoryTenantChangePublisher() });
    const a = new PartnerClients(new TenantDirectory(config), tokens);
    const b = new PartnerClients(new TenantDirectory(configB), new TokenManager({ dataSource: ds2, secretBox: new SecretBox(KEYS) }));
    const [ca, cb] = [await a.fusion('demo'), await b.fusion('demo')];
    const reads = await Promise.all([ca, cb, ca, cb].map((client) => client.ping()));
    assert.ok(
      reads.every((r) => r.ok),
      JSON.stringify(reads),
    );
    const tokenCalls = () => fusion.requests().filter((r) => r.path === '/oauth2/v1/token').length - before;
    assert.equal(tokenCalls(), 1, 'one token request for both replicas');
    // The identity domain invalidates every token: the next call gets 401, refreshes once and succeeds.
    await fetch(`${urls.fusion}/__admin/tokens/expire`, { method: 'POST' });
    assert.ok((await ca.ping()).ok);
    assert.equal(tokenCalls(), 2);
    assert.ok((await cb.ping()).ok, 'the other replica takes the replaced token after its own 401');
    assert.equal(tokenCalls(), 2, 'no second refresh for the other replica');
  });

  it('shares Shopify client-credentials tokens between replicas (one grant, not one per process) and takes a new one after a 401', async () => {
    const grants = () => shopify.requests().filter((r) => r.path === '/admin/oauth/access_token' && r.status === 200).length;
    const before = grants();
    const configB = new TenantConfigService({ dataSource: ds2, secretBox: new SecretBox(KEYS), publisher: new InMemoryTenantChangePublisher() });
    const a = new PartnerClients(new TenantDirectory(config), tokens);
    const b = new PartnerClients(new TenantDirectory(configB), new TokenManager({ dataSource: ds2, secretBox: new SecretBox(KEYS) }));
    const [ca, cb] = [await a.shopify('demo'), await b.shopify('demo')];
    const shops = await Promise.all([ca, cb, ca, cb].map((client) => client.ping()));
    assert.ok(
      shops.every((s) => s.myshopifyDomain === DEMO_CREDENTIALS.shopify.shopDomain),
      JSON.stringify(shops),
    );
    assert.equal(grants() - before, 1, 'one client-credentials grant for both replicas');
    // The shop revokes the token: the next call gets 401, a new grant is made once and shared.
    shopify.expireTokens();
    await ca.ping();
    assert.equal(grants() - before, 2);
    await cb.ping();
    assert.equal(grants() - before, 2, 'the other replica takes the replaced token');
    const rows = (await ds.query(`SELECT cache_key FROM partner_tokens WHERE cache_key LIKE 'demo:shopify:%'`)) as Array<{ cache_key: string }>;
    assert.equal(rows.length, 1, 'the token is a shared, sealed row');
  });

  it('OAuth for REST and Basic soapAuth for SOAP on one Fusion connection: a customer account and a credit memo are created through SOAP; a wrong SOAP password and a bearer token on SOAP are refused', async () => {
    await config.createTenant({ id: 'split-auth', name: 'OAuth REST, Basic SOAP', mode: 'demo' }, 'test');
    const oauth = { type: 'oauth2-client-credentials', tokenUrl: `${urls.fusion}/oauth2/v1/token`, ...DEMO_CREDENTIALS.fusion } as const;
    await config.setConnection(
      'split-auth',
      { partner: 'fusion', baseUrl: urls.fusion, auth: oauth, soapAuth: { type: 'basic', username: fusion.options.basicUser, password: CANARY } },
      'test',
    );
    const clients = new PartnerClients(new TenantDirectory(config), tokens);
    // The sandbox's log redacts Authorization; its answers say which credentials it got (Basic refused: "Invalid user
    // name or password"; a bearer token on SOAP: "a user name and password is required").
    const status = (path: string) =>
      fusion
        .requests()
        .filter((r) => r.path === path)
        .map((r) => r.status);
    const soapPath = '/crmService/CustomerAccountService';
    // REST with the OAuth token: the party.
    const party = await (
      await clients.fusion('split-auth')
    ).createOrganization({
      OrganizationName: 'Split Auth Co',
      Address: [{ AddressType: 'BILL_TO', Address1: '1 Main St', City: 'Austin', Country: 'US', PostalCode: '78701' }],
    });
    assert.equal(status('/crmRestApi/resources/11.13.18.05/hubOrganizations').at(-1), 201);
    assert.ok(
      fusion.requests().some((r) => r.path === '/oauth2/v1/token' && r.status === 200),
      'REST took an OAuth token',
    );
    const account = { partyId: party.PartyId, accountName: 'Split Auth Co', partySiteId: party.Address[0]!.PartySiteId };
    // SOAP with a wrong Basic password: refused, the password never in the message.
    const wrong = (await createCustomerAccount(await clients.fusion('split-auth'), account).then(
      () => undefined,
      (e: unknown) => e,
    )) as AppError;
    assert.equal(wrong?.code, 'FUSION.AUTH', String(wrong));
    assert.match(wrong.message, /Invalid user name or password/);
    assert.ok(!wrong.message.includes(CANARY));
    assert.equal(status(soapPath).at(-1), 401);
    // The right password through a partial update (the OAuth secret is kept): the account is created with Basic.
    await config.patchConnection('split-auth', 'fusion', { soapAuth: { password: fusion.options.basicPassword } }, 'test');
    const created = await createCustomerAccount(await clients.fusion('split-auth'), account);
    assert.equal(status(soapPath).at(-1), 200);
    assert.equal(fusion.written.customerAccounts.at(-1)?.['AccountNumber'], created.accountNumber);
    // A credit memo through CreditMemoService against an invoice made over REST (OAuth), both with one client.
    const client = await clients.fusion('split-auth');
    const invoice = await client.createInvoice({
      BusinessUnit: 'US1 Business Unit',
      TransactionSource: 'SHOPIFY',
      TransactionType: 'Invoice',
      TransactionDate: '2026-11-02',
      BillToCustomerNumber: created.accountNumber,
      InvoiceCurrencyCode: 'USD',
      receivablesInvoiceLines: [{ LineNumber: 1, Description: 'Tee', Quantity: 1, UnitSellingPrice: 10 }],
    });
    await client.completeInvoice(invoice.CustomerTransactionId);
    const memo = await createInvoiceCreditMemo(client, {
      previousCustomerTransactionId: invoice.CustomerTransactionId,
      currencyCode: 'USD',
      transactionDate: '2026-11-03',
      lineAmount: '4.00',
    });
    assert.equal(status('/fscmService/CreditMemoService').at(-1), 200);
    assert.equal(String(fusion.written.invoiceCredits.at(-1)?.['PreviousCustomerTransactionId']), invoice.CustomerTransactionId);
    assert.match(memo.customerTransactionId, /^[1-9]\d*$/);
    // Without soapAuth the SOAP call carries the bearer token, which the strict sandbox refuses (soapBearerAuth false)
    // and the other reading of that UNCONFIRMED fact accepts.
    await config.patchConnection('split-auth', 'fusion', { soapAuth: null }, 'test');
    const bearer = (await createCustomerAccount(await clients.fusion('split-auth'), account).then(
      () => undefined,
      (e: unknown) => e,
    )) as AppError;
    assert.equal(bearer?.code, 'FUSION.AUTH');
    assert.match(bearer.message, /user name and password is required/);
    const strict = fusion.options.strict as typeof fusion.options.strict & { soapBearerAuth?: boolean };
    strict.soapBearerAuth = true;
    try {
      const party2 = await (
        await clients.fusion('split-auth')
      ).createOrganization({
        OrganizationName: 'Bearer Co',
        Address: [{ AddressType: 'BILL_TO', Address1: '2 Main St', City: 'Austin', Country: 'US', PostalCode: '78701' }],
      });
      await createCustomerAccount(await clients.fusion('split-auth'), {
        partyId: party2.PartyId,
        accountName: 'Bearer Co',
        partySiteId: party2.Address[0]!.PartySiteId,
      });
      assert.equal(status(soapPath).at(-1), 200);
    } finally {
      strict.soapBearerAuth = false;
    }
  });

  it('never spends a rotating ShipBob refresh token twice: one refresh for two replicas, the rotated token persisted', async () => {
    // The merchant approves the app (authorization code), giving the first refresh token.
    const code = shipbob.issueAuthorizationCode('mlc-demo-client', 'http://127.0.0.1/callback', ['channels_read', 'orders_read', 'offline_access']);
    const grant = (await (
      await fetch(`${urls.shipbob}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: 'mlc-demo-client',
          client_secret: 'mlc-demo-secret',
          redirect_uri: 'http://127.0.0.1/callback',
        }).toString(),
      })
    ).json()) as { refresh_token: string };
    await config.createTenant({ id: 'oauth', name: 'ShipBob OAuth app', mode: 'demo' }, 'test');
    await config.setConnection(
      'oauth',
      {
        partner: 'shipbob',
        baseUrl: urls.shipbob,
        channelId: String(DEMO_SEED.channel!.id),
        webhookSecrets: [DEMO_CREDENTIALS.shipbob.webhookSecret],
        auth: {
          type: 'oauth2',
          tokenUrl: `${urls.shipbob}/connect/token`,
          clientId: 'mlc-demo-client',
          clientSecret: 'mlc-demo-secret',
          refreshToken: grant.refresh_token,
        },
      },
      'test',
    );
    const refreshes = () => shipbob.requests().filter((r) => r.path === '/connect/token' && r.body.includes('grant_type=refresh_token'));
    const configB = new TenantConfigService({ dataSource: ds2, secretBox: new SecretBox(KEYS), publisher: new InMemoryTenantChangePublisher() });
    const a = new PartnerClients(new TenantDirectory(config), tokens);
    const b = new PartnerClients(new TenantDirectory(configB), new TokenManager({ dataSource: ds2, secretBox: new SecretBox(KEYS) }));
    const [ca, cb] = [await a.shipbob('oauth'), await b.shipbob('oauth')];
    const channels = await Promise.all([ca, cb, ca, cb, ca, cb].map((c) => c.listChannels()));
    assert.ok(channels.every((list) => list.some((ch) => ch.id === DEMO_SEED.channel!.id)));
    assert.equal(refreshes().length, 1, 'one refresh for both replicas');
    assert.ok(refreshes().every((r) => r.status === 200));
    // Pinging the OAuth connection goes through the same token manager: no extra refresh.
    const p = await ping.pingConnection('oauth', 'shipbob');
    assert.equal(p.failedCheck, null, p.message);
    assert.equal(refreshes().length, 1);
    // The operator's refresh token is spent (rotation), so only the persisted rotated one can continue the chain ...
    await assert.rejects(
      requestShipbobToken({ authBaseUrl: urls.shipbob, clientId: 'mlc-demo-client', clientSecret: 'mlc-demo-secret', refreshToken: grant.refresh_token }),
      (err: Error & { code?: string }) => err.code === 'SHIPBOB.AUTH',
    );
    // ... and a replica two hours later (token expired) refreshes with it successfully.
    const later = new TokenManager({ dataSource: ds2, secretBox: new SecretBox(KEYS), now: () => Date.now() + 2 * 3_600_000 });
    const c = new PartnerClients(new TenantDirectory(configB), later);
    assert.ok((await (await c.shipbob('oauth')).listChannels()).length > 0);
    const statuses = refreshes().map((r) => r.status);
    assert.deepEqual(statuses, [200, 400, 200], 'ours: two successful refreshes; the 400 is the test spending the old token');
    const rows = (await ds.query(`SELECT ciphertext FROM partner_tokens WHERE cache_key LIKE 'oauth:shipbob:%'`)) as Array<{ ciphertext: string }>;
    assert.equal(rows.length, 1);
    assert.ok(!rows[0]!.ciphertext.includes('sbrt_'), 'tokens are sealed at rest');
  });
});
