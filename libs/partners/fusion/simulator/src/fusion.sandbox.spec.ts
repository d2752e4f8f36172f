import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FSCM_ROOT, FusionSandbox, MEDIA } from './fusion.sandbox';
import { purchaseOrderDef } from './fusion.resources';

describe('FusionSandbox (raw HTTP)', () => {
  const sandbox = new FusionSandbox({ seed: 3, pageCap: 5 });
  let url = '';
  let auth = '';
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${FSCM_ROOT}${path}`, { headers: { authorization: auth, 'rest-framework-version': '4', ...headers } });
  const post = (path: string, body: unknown, contentType: string) =>
    fetch(`${url}${FSCM_ROOT}${path}`, {
      method: 'POST',
      headers: { authorization: auth, 'rest-framework-version': '4', 'content-type': contentType },
      body: JSON.stringify(body),
    });

  before(async () => {
    url = await sandbox.listen(0);
    const o = sandbox.options;
    auth = `Basic ${Buffer.from(`${o.basicUser}:${o.basicPassword}`).toString('base64')}`;
    const seeded = await fetch(`${url}/__admin/seed`, { method: 'POST', body: JSON.stringify({ count: 8, seed: 11 }) });
    assert.equal(seeded.status, 200);
  });
  after(() => sandbox.close());

  it('seeds deterministically for a seed', () => {
    const shape = (s: FusionSandbox) =>
      s.procurement.pos.map((p) => [p.OrderNumber, p.Supplier, p.lines.map((l) => [l.Item, l.Price, l.schedules[0]!.Quantity])]);
    const a = new FusionSandbox();
    const b = new FusionSandbox();
    a.seedPurchaseOrders({ count: 5, seed: 99 });
    b.seedPurchaseOrders({ count: 5, seed: 99 });
    assert.deepEqual(shape(a), shape(b));
    const c = new FusionSandbox();
    c.seedPurchaseOrders({ count: 5, seed: 100 });
    assert.notDeepEqual(shape(a), shape(c));
  });

  it('answers the collection envelope, caps the limit, and adds totalResults only on request', async () => {
    const res = await get('/purchaseOrders?limit=50&offset=2');
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['count', 'hasMore', 'items', 'limit', 'links', 'offset']);
    assert.deepEqual([body['count'], body['hasMore'], body['limit'], body['offset']], [5, true, 5, 2]);
    const total = (await (await get('/purchaseOrders?totalResults=true&limit=1')).json()) as Record<string, unknown>;
    assert.equal(total['totalResults'], 8);
  });

  it('expands children as collection objects from v3 and as arrays before; fields and onlyData trim the item', async () => {
    const v4 = (await (await get('/purchaseOrders?limit=1&expand=lines.schedules')).json()) as { items: Record<string, any>[] };
    assert.ok(Array.isArray(v4.items[0]!['lines'].items));
    assert.ok(Array.isArray(v4.items[0]!['lines'].items[0].schedules.items));
    const v1 = (await (await get('/purchaseOrders?limit=1&expand=lines', { 'rest-framework-version': '1' })).json()) as { items: Record<string, any>[] };
    assert.ok(Array.isArray(v1.items[0]!['lines']));
    const slim = (await (await get('/purchaseOrders?limit=1&fields=POHeaderId,Status;lines:LineNumber&onlyData=true')).json()) as {
      items: Record<string, any>[];
    };
    assert.deepEqual(Object.keys(slim.items[0]!).sort(), ['POHeaderId', 'Status', 'lines']);
    assert.deepEqual(Object.keys(slim.items[0]!['lines'].items[0]), ['LineNumber']);
  });

  it('filters q on LastUpdateDate in each documented literal format and orders by it', async () => {
    const pos = sandbox.procurement.pos;
    const pivot = pos[5]!.LastUpdateDate; // e.g. 2025-01-01T10:00:00.123+00:00
    for (const literal of [pivot, pivot.replace('+00:00', 'Z'), pivot.slice(0, 19), pivot.slice(0, 19) + '+00:00']) {
      const q = encodeURIComponent(`LastUpdateDate>='${literal}'`);
      const body = (await (await get(`/purchaseOrders?q=${q}&orderBy=LastUpdateDate:desc&onlyData=true`)).json()) as { items: { POHeaderId: number }[] };
      const expected = pos.filter((p) => Date.parse(p.LastUpdateDate) >= Date.parse(literal.length === 19 ? `${literal}Z` : literal));
      assert.deepEqual(
        body.items.map((i) => i.POHeaderId),
        expected.map((p) => p.POHeaderId).reverse(),
        literal,
      );
    }
    const day = (await (await get(`/purchaseOrders?q=${encodeURIComponent("LastUpdateDate>='2000-01-01'")}&limit=5`)).json()) as { count: number };
    assert.equal(day.count, 5);
  });

  it("filters and sorts on the record's own attributes exactly as on its built row (purchaseOrderDef.direct)", async () => {
    const po = sandbox.procurement.pos[0]!;
    const row = purchaseOrderDef.scalars(po);
    for (const a of purchaseOrderDef.direct!) assert.equal((po as unknown as Record<string, unknown>)[a], row[a], a);
    // Total is computed (not direct): ordered by it too, every row is built; without it the records are read. Same answer.
    const pivot = sandbox.procurement.pos[3]!.LastUpdateDate;
    const page = async (q: string, order = 'LastUpdateDate:asc,POHeaderId:asc') =>
      (await (await get(`/purchaseOrders?q=${encodeURIComponent(q)}&orderBy=${order}&limit=3&offset=1`)).json()) as Record<string, unknown>;
    const direct = await page(`LastUpdateDate>='${pivot}'`);
    assert.deepEqual(await page(`LastUpdateDate>='${pivot}'`, 'LastUpdateDate:asc,POHeaderId:asc,Total:asc'), direct);
    assert.ok((direct['items'] as unknown[]).length > 0);
  });

  it('answers 400 for a bad q (bad literal, unknown attribute, broken syntax) with the v4 error body, text before v4', async () => {
    for (const q of ["LastUpdateDate>='yesterday'", "NoSuchAttr='1'", "Status='Open' and", 'LastUpdateDate>=2024-01-01']) {
      const res = await get(`/purchaseOrders?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 400, q);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body['status'], '400');
      assert.ok(Array.isArray(body['o:errorDetails']));
    }
    const v2 = await get(`/purchaseOrders?q=${encodeURIComponent("NoSuchAttr='1'")}`, { 'rest-framework-version': '2' });
    assert.equal(v2.status, 400);
    assert.match(await v2.text(), /NoSuchAttr/);
    assert.equal((await get('/purchaseOrders', { 'rest-framework-version': '12' })).status, 400);
  });

  it('answers 415 for a wrong Content-Type on writes (items and actions)', async () => {
    const po = sandbox.procurement.pos[0]!;
    const wrongAction = await post(`/purchaseOrders/${po.POHeaderId}/action/close`, { closeAction: 'close' }, 'application/json');
    assert.equal(wrongAction.status, 415);
    const wrongItem = await post('/receivingReceiptRequests', { lines: [] }, 'text/plain');
    assert.equal(wrongItem.status, 415);
    assert.equal(po.Status, 'Open');
    const ok = await post(`/purchaseOrders/${po.uniqId}/action/close`, { closeAction: 'closeForInvoicing' }, MEDIA.action);
    assert.equal(ok.status, 200);
    assert.equal(po.Status, 'Closed for Invoicing');
  });

  it('has no header POST/PATCH on purchaseOrders; DFF goes through draftPurchaseOrders', async () => {
    assert.equal((await post('/purchaseOrders', {}, MEDIA.item)).status, 405);
    const po = sandbox.procurement.pos[1]!;
    const before = po.LastUpdateDate;
    const res = await fetch(`${url}${FSCM_ROOT}/draftPurchaseOrders/${po.POHeaderId}/child/DFF/${po.POHeaderId}`, {
      method: 'PATCH',
      headers: { authorization: auth, 'rest-framework-version': '4', 'content-type': MEDIA.item },
      body: JSON.stringify({ __FLEX_Context: 'MLC', shipbobFulfillmentStatus: 'SB-9' }),
    });
    assert.equal(res.status, 200);
    assert.notEqual(po.LastUpdateDate, before);
    assert.equal(sandbox.written.dffUpdates.at(-1)!['shipbobFulfillmentStatus'], 'SB-9');
  });

  it('issues tokens only to the right client, grant and scope; unknown bearer tokens get 401', async () => {
    const o = sandbox.options;
    const token = (id: string, secret: string, form: Record<string, string>, type = 'application/x-www-form-urlencoded') =>
      fetch(`${url}/oauth2/v1/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': type },
        body: new URLSearchParams(form).toString(),
      });
    const good = await token(o.clientId, o.clientSecret, { grant_type: 'client_credentials', scope: o.scope });
    const body = (await good.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.deepEqual([good.status, body.token_type, body.expires_in], [200, 'Bearer', 3600]);
    assert.equal((await token(o.clientId, 'bad', { grant_type: 'client_credentials', scope: o.scope })).status, 401);
    assert.equal((await token(o.clientId, o.clientSecret, { grant_type: 'password', scope: o.scope })).status, 400);
    assert.equal((await token(o.clientId, o.clientSecret, { grant_type: 'client_credentials', scope: 'other' })).status, 400);
    assert.equal((await token(o.clientId, o.clientSecret, { grant_type: 'client_credentials', scope: o.scope }, 'application/json')).status, 400);
    const ok = await fetch(`${url}${FSCM_ROOT}/purchaseOrders?limit=1`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(ok.status, 200);
    await fetch(`${url}/__admin/tokens/expire`, { method: 'POST' });
    const expired = await fetch(`${url}${FSCM_ROOT}/purchaseOrders?limit=1`, { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(expired.status, 401);
    assert.equal((await fetch(`${url}${FSCM_ROOT}/purchaseOrders`)).status, 401);
  });

  it('changes data through the admin API and lists what was written', async () => {
    const po = sandbox.procurement.pos[6]!;
    const added = await fetch(`${url}/__admin/purchase-orders/${po.POHeaderId}/lines`, {
      method: 'POST',
      body: JSON.stringify({ Item: 'SKU-NEW', Quantity: 4 }),
    });
    assert.equal(added.status, 200);
    assert.equal(po.lines.at(-1)!.Item, 'SKU-NEW');
    const changed = await fetch(`${url}/__admin/purchase-orders/${po.POHeaderId}/lines/1`, { method: 'PATCH', body: JSON.stringify({ Quantity: 2 }) });
    assert.equal(changed.status, 200);
    assert.equal(po.lines[0]!.schedules[0]!.Quantity, 2);
    const cancelLine = await fetch(`${url}/__admin/purchase-orders/${po.POHeaderId}/cancel`, { method: 'POST', body: JSON.stringify({ LineNumber: 1 }) });
    assert.equal(cancelLine.status, 200);
    assert.equal(po.lines[0]!.Status, 'Canceled');
    assert.equal(po.Status, 'Open');
    await fetch(`${url}/__admin/purchase-orders/${po.POHeaderId}/cancel`, { method: 'POST' });
    assert.equal(po.Status, 'Canceled');
    const written = (await (await fetch(`${url}/__admin/written`)).json()) as Record<string, unknown[]>;
    assert.ok(Array.isArray(written['receipts']) && Array.isArray(written['closures']));
    assert.equal((await fetch(`${url}/__admin/purchase-orders/nope/cancel`, { method: 'POST' })).status, 404);
  });

  it('creates a customer account through the admin API and PATCHes hubOrganizations and their Address child (fixed keys refused)', async () => {
    const created = await fetch(`${url}/__admin/customer-accounts`, {
      method: 'POST',
      body: JSON.stringify({ accountNumber: 'GUEST-9', name: 'Guests', address: { Address1: '1 Main St', Country: 'CA' } }),
    });
    assert.equal(created.status, 201);
    const account = sandbox.receivables.accounts.find((a) => a.AccountNumber === 'GUEST-9')!;
    assert.equal(account.billToSites.length, 1);
    assert.equal(
      (await fetch(`${url}/__admin/customer-accounts`, { method: 'POST', body: JSON.stringify({ accountNumber: 'GUEST-9', name: 'Again' }) })).status,
      400,
    );
    const party = sandbox.receivables.parties.find((p) => p.PartyId === account.PartyId)!;
    const crm = `${url}/crmRestApi/resources/11.13.18.05/hubOrganizations/${party.PartyNumber}`;
    const patch = (path: string, body: unknown) =>
      fetch(`${crm}${path}`, {
        method: 'PATCH',
        headers: { authorization: auth, 'rest-framework-version': '4', 'content-type': MEDIA.item },
        body: JSON.stringify(body),
      });
    assert.equal((await patch('', { EmailAddress: 'guests@example.com' })).status, 200);
    assert.equal(party.fields['EmailAddress'], 'guests@example.com');
    assert.equal((await patch('', { PartyNumber: '1' })).status, 400);
    const address = party.Address[0]!;
    assert.equal((await patch(`/child/Address/${address.AddressId}`, { City: 'Ottawa', Country: 'Canada' })).status, 400, 'Country must be ISO-2');
    assert.equal((await patch(`/child/Address/${address.AddressId}`, { City: 'Ottawa' })).status, 200);
    assert.equal(address['City'], 'Ottawa');
    assert.equal(party.Address[0]!.PartySiteId, account.billToSites[0]!.PartySiteId, 'the bill-to site keeps its party site');
    assert.equal((await patch('/child/Address/1', { City: 'X' })).status, 404);
    assert.equal(sandbox.written.customerUpdates.length, 2);
  });
});
