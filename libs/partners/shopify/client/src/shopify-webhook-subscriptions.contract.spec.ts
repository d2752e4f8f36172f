import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@mlc/platform-testing';
import { ShopifySandbox, signShopifyWebhook } from '@mlc/partners-shopify-simulator';
import { ShopifyClient } from './shopify.client';
import { WEBHOOK_SUBSCRIPTION_CREATE_MUTATION as CREATE } from './shopify.queries';

/** The sandbox's webhook-subscription GraphQL operations: strict like Shopify's schema, deliveries signed with the app secret. */
describe('Shopify sandbox: webhookSubscriptions / webhookSubscriptionCreate / webhookSubscriptionDelete', () => {
  let sandbox: ShopifySandbox;
  let url: string;
  let token: string;
  let server: Server;
  let hookUrl: string;
  const got: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

  const gql = async (query: string, variables: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }> => {
    const res = await fetch(`${url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
      body: JSON.stringify({ query, variables }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { data?: any; errors?: any[] };
  };

  before(async () => {
    sandbox = new ShopifySandbox({ seed: 7, timeScale: 1000, clientSecret: 'app-secret-x' });
    url = await sandbox.listen();
    token = sandbox.issueToken({ expiresInSec: 3600 }).access_token;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify/t1`;
  });

  after(async () => {
    sandbox.dispatcher.close();
    await sandbox.close();
    await new Promise((r) => server.close(r));
  });

  it('refuses variables outside the schema (unknown topic, unknown input field, wrong format) as INVALID_VARIABLE, creating nothing', async () => {
    const before = sandbox.subscriptions.length;
    const unknownTopic = await gql(CREATE, { topic: 'ORDERS_TELEPORTED', webhookSubscription: { uri: hookUrl } });
    assert.equal(unknownTopic.errors?.[0]?.extensions?.code, 'INVALID_VARIABLE');
    assert.match(unknownTopic.errors![0].message, /\$topic/);
    const slashTopic = await gql(CREATE, { topic: 'orders/create', webhookSubscription: { uri: hookUrl } });
    assert.equal(slashTopic.errors?.[0]?.extensions?.code, 'INVALID_VARIABLE', 'the enum spelling is required');
    const unknownField = await gql(CREATE, { topic: 'ORDERS_CREATE', webhookSubscription: { uri: hookUrl, secret: 'mine' } });
    assert.equal(unknownField.errors?.[0]?.extensions?.code, 'INVALID_VARIABLE');
    assert.deepEqual(unknownField.errors![0].extensions.problems[0].path, ['secret']);
    const format = await gql(CREATE, { topic: 'ORDERS_CREATE', webhookSubscription: { uri: hookUrl, format: 'YAML' } });
    assert.equal(format.errors?.[0]?.extensions?.code, 'INVALID_VARIABLE');
    assert.equal(sandbox.subscriptions.length, before);
  });

  it('answers business refusals in userErrors: plain http to another host, the same topic and address twice, an unknown id', async () => {
    const http = await gql(CREATE, { topic: 'ORDERS_CREATE', webhookSubscription: { uri: 'http://gateway.example.com/webhooks/shopify/t1' } });
    assert.equal(http.data.webhookSubscriptionCreate.webhookSubscription, null);
    assert.match(http.data.webhookSubscriptionCreate.userErrors[0].message, /https/);
    const client = new ShopifyClient({ baseUrl: url, shopDomain: sandbox.shopDomain, accessToken: token });
    const first = await client.createWebhookSubscription('orders/create', hookUrl);
    assert.equal(first.topic, 'orders/create');
    assert.equal(first.uri, hookUrl);
    await assert.rejects(client.createWebhookSubscription('orders/create', hookUrl), /already been taken/);
    await assert.rejects(client.deleteWebhookSubscription('gid://shopify/WebhookSubscription/999999'), /does not exist/);
  });

  it('lists app subscriptions only, signs their deliveries with the app client secret, and stops after a delete', async () => {
    const client = new ShopifyClient({ baseUrl: url, shopDomain: sandbox.shopDomain, accessToken: token });
    sandbox.subscribe({ topic: 'orders/paid', uri: hookUrl, source: 'admin' });
    const paid = await client.createWebhookSubscription('orders/paid', hookUrl);
    const listed = await client.listWebhookSubscriptions();
    assert.deepEqual(listed.map((s) => s.topic).sort(), ['orders/create', 'orders/paid']);
    assert.ok(listed.every((s) => s.uri === hookUrl && s.format === 'JSON'));
    sandbox.createOrder({ paid: true, lines: [{ sku: 'S-1', title: 'Thing', price: '3.00', quantity: 1 }] });
    const appSigned = () => got.filter((g) => g.headers['x-shopify-hmac-sha256'] === signShopifyWebhook(g.body, 'app-secret-x'));
    await waitFor(() => appSigned().length >= 2, { timeoutMs: 5000, intervalMs: 20, what: 'two app-signed deliveries' });
    assert.deepEqual(
      appSigned()
        .map((g) => g.headers['x-shopify-topic'])
        .sort(),
      ['orders/create', 'orders/paid'],
    );
    await client.deleteWebhookSubscription(paid.id);
    assert.deepEqual(
      (await client.listWebhookSubscriptions()).map((s) => s.topic),
      ['orders/create'],
    );
    await assert.rejects(client.deleteWebhookSubscription(paid.id), /does not exist/);
  });
});
