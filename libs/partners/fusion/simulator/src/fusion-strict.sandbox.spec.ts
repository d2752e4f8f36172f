import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@mlc/platform-testing';
import { FusionSandbox, MEDIA } from './fusion.sandbox';
import type { PurchaseOrder } from './fusion.store';

const FSCM = '/fscmRestApi/resources/11.13.18.05';
const CRM = '/crmRestApi/resources/11.13.18.05';

/** Makes sure every PO has (at least) two lines. */
function twoLines(s: FusionSandbox, pos: PurchaseOrder[]): PurchaseOrder[] {
  for (const p of pos) if (p.lines.length < 2) s.procurement.addLine(String(p.POHeaderId), { Item: 'SKU-EXTRA', Quantity: 3 });
  return pos;
}

interface Call {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}

/** The sandbox in its default configuration refuses what Oracle's published schemas do not define, in Fusion's shapes. */
describe('FusionSandbox strict allow-lists (raw HTTP)', () => {
  const sandbox = new FusionSandbox({ seed: 9 });
  let auth = '';
  let po: PurchaseOrder;
  let invoiceId = 0;
  let partyNumber = '';
  let addressId = 0;
  let personNumber = '';

  const send = (c: Call, version?: string) =>
    fetch(`${sandbox.url}${c.path}`, {
      method: c.method,
      headers: {
        authorization: auth,
        ...(version ? { 'rest-framework-version': version } : {}),
        ...(c.body === undefined ? {} : { 'content-type': c.contentType ?? MEDIA.item }),
      },
      body: c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
    });

  /** 400 with `detail` as the v4 JSON error body, and as plain text without the header (v1) and with v3. */
  async function refused(c: Call, detail: RegExp | string): Promise<void> {
    const match = (text: string) => (typeof detail === 'string' ? assert.equal(text, detail) : assert.match(text, detail));
    const v4 = await send(c, '4');
    const v4Text = await v4.text();
    assert.equal(v4.status, 400, `${c.method} ${c.path}: ${v4Text}`);
    assert.match(v4.headers.get('content-type') ?? '', /json/);
    const body = JSON.parse(v4Text) as { title: string; status: string; detail: string; 'o:errorDetails': { detail: string }[] };
    assert.deepEqual([body.title, body.status], ['Bad Request', '400']);
    match(body.detail);
    match(body['o:errorDetails'][0]!.detail);
    for (const version of [undefined, '3']) {
      const text = await send(c, version);
      assert.equal(text.status, 400);
      assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
      match(await text.text());
    }
  }
  const notDefined = (attr: string, resource: string) => `The attribute ${attr} is not defined in resource ${resource}.`;

  before(async () => {
    await sandbox.listen(0);
    auth = `Basic ${Buffer.from(`${sandbox.options.basicUser}:${sandbox.options.basicPassword}`).toString('base64')}`;
    po = twoLines(sandbox, sandbox.seedPurchaseOrders({ count: 3, linesPerPo: 2, seed: 4 }))[0]!;
    const account = sandbox.receivables.accounts[0]!.AccountNumber;
    invoiceId = sandbox.receivables.createInvoice({
      BusinessUnit: 'Vision Operations',
      TransactionSource: 'Manual',
      TransactionType: 'Invoice',
      TransactionDate: '2026-11-01',
      BillToCustomerNumber: account,
      receivablesInvoiceLines: [{ Description: 'Tee', Quantity: 1, UnitSellingPrice: 10 }],
    }).CustomerTransactionId;
    const party = sandbox.receivables.createParty({ OrganizationName: 'Org', Address: [{ AddressType: 'BILL_TO', Address1: '1 Main', Country: 'US' }] });
    partyNumber = party.PartyNumber;
    addressId = party.Address[0]!.AddressId;
    personNumber = sandbox.receivables.createParty({ PersonLastName: 'Doe' }, 'ORA_ZCH_WS', 'person').PartyNumber;
  });
  after(() => sandbox.close());

  const receipt = (extra: Record<string, unknown> = {}, line: Record<string, unknown> = {}) => ({
    ReceiptSourceCode: 'VENDOR',
    ASNType: 'ASN',
    ...extra,
    lines: [
      {
        ReceiptSourceCode: 'VENDOR',
        SourceDocumentCode: 'PO',
        TransactionType: 'SHIP',
        DocumentNumber: po.OrderNumber,
        DocumentLineNumber: 1,
        Quantity: 1,
        ...line,
      },
    ],
  });

  it('receivingReceiptRequests POST: unknown header and line attributes (the carrier/waybill names Fusion refused) are 400', async () => {
    const path = `${FSCM}/receivingReceiptRequests`;
    await refused({ method: 'POST', path, body: receipt({ FreightCarrierName: 'UPS' }) }, notDefined('FreightCarrierName', 'receivingReceiptRequests'));
    await refused({ method: 'POST', path, body: receipt({ WaybillAirbillNumber: '1Z' }) }, notDefined('WaybillAirbillNumber', 'receivingReceiptRequests'));
    await refused({ method: 'POST', path, body: receipt({}, { TrackingNumber: '1Z' }) }, notDefined('TrackingNumber', 'lines'));
    assert.equal(sandbox.written.asns.length, 0, 'nothing was staged');
    const ok = await send({ method: 'POST', path, body: receipt({ BillOfLading: '1Z999', Comments: 'Carrier: UPS' }) }, '4');
    assert.equal(ok.status, 201);
  });

  it('purchaseOrders actions (header and line), draftPurchaseOrders PATCH and its DFF: unknown attributes are 400', async () => {
    const base = `${FSCM}/purchaseOrders/${po.POHeaderId}`;
    const line = `${base}/child/lines/${po.lines[1]!.POLineId}`;
    for (const path of [base, line]) {
      await refused(
        { method: 'POST', path: `${path}/action/close`, body: { closeAction: 'closeForReceiving', closeDate: '2026-11-01' }, contentType: MEDIA.action },
        notDefined('closeDate', 'purchaseOrders'),
      );
      await refused(
        { method: 'POST', path: `${path}/action/reopen`, body: { reopenAction: 'reopenForReceiving', reopenDate: 'x' }, contentType: MEDIA.action },
        notDefined('reopenDate', 'purchaseOrders'),
      );
      await refused(
        { method: 'POST', path: `${path}/action/cancel`, body: { cancelReason: 'x', CancelRequisitionFlag: true }, contentType: MEDIA.action },
        notDefined('CancelRequisitionFlag', 'purchaseOrders'),
      );
    }
    assert.equal(po.Status, 'Open');
    await refused(
      { method: 'PATCH', path: `${FSCM}/draftPurchaseOrders/${po.POHeaderId}`, body: { Status: 'Closed' } },
      notDefined('Status', 'draftPurchaseOrders'),
    );
    await refused(
      { method: 'PATCH', path: `${FSCM}/draftPurchaseOrders/${po.POHeaderId}/child/DFF/${po.POHeaderId}`, body: { shipbobOrderId: '1' } },
      notDefined('shipbobOrderId', 'DFF'),
    );
    const ok = await send(
      {
        method: 'PATCH',
        path: `${FSCM}/draftPurchaseOrders/${po.POHeaderId}/child/DFF/${po.POHeaderId}`,
        body: { __FLEX_Context: 'MLC', shipbobFulfillmentStatus: 'x' },
      },
      '4',
    );
    assert.equal(ok.status, 200);
  });

  it('receivablesInvoices POST (header, lines, distributions) and PATCH: unknown attributes are 400; PATCH of a defined but fixed attribute too', async () => {
    const account = sandbox.receivables.accounts[0]!.AccountNumber;
    const invoice = (extra: Record<string, unknown>, line: Record<string, unknown> = {}, dist?: Record<string, unknown>) => ({
      BusinessUnit: 'Vision Operations',
      TransactionSource: 'Manual',
      TransactionType: 'Invoice',
      TransactionDate: '2026-11-01',
      BillToCustomerNumber: account,
      ...extra,
      receivablesInvoiceLines: [{ Description: 'Tee', Quantity: 1, UnitSellingPrice: 10, ...line }],
      ...(dist ? { receivablesInvoiceDistributions: [{ InvoiceLineNumber: 1, AccountClass: 'Revenue', AccountCombination: '01-000', ...dist }] } : {}),
    });
    const path = `${FSCM}/receivablesInvoices`;
    await refused({ method: 'POST', path, body: invoice({ PaymentTermsCode: '30' }) }, notDefined('PaymentTermsCode', 'receivablesInvoices'));
    await refused({ method: 'POST', path, body: invoice({}, { LineAmount: 10 }) }, notDefined('LineAmount', 'receivablesInvoiceLines'));
    await refused({ method: 'POST', path, body: invoice({}, {}, { GlDate: '2026-11-01' }) }, notDefined('GlDate', 'receivablesInvoiceDistributions'));
    await refused({ method: 'PATCH', path: `${path}/${invoiceId}`, body: { Balance: 0 } }, notDefined('Balance', 'receivablesInvoices'));
    await refused({ method: 'PATCH', path: `${path}/${invoiceId}`, body: { Comments: 'x' } }, /can't be updated/);
    assert.equal(sandbox.written.invoices.length, 0);
  });

  it('receivablesInvoices DELETE: an Incomplete invoice goes (204, no body); a Complete one is refused unless strict.deleteCompleteInvoices; a gone one is 404', async () => {
    const account = sandbox.receivables.accounts[0]!.AccountNumber;
    const make = () =>
      sandbox.receivables.createInvoice({
        BusinessUnit: 'Vision Operations',
        TransactionSource: 'Manual',
        TransactionType: 'Invoice',
        TransactionDate: '2026-11-01',
        BillToCustomerNumber: account,
        receivablesInvoiceLines: [{ Description: 'Cap', Quantity: 1, UnitSellingPrice: 5 }],
      });
    const path = `${FSCM}/receivablesInvoices`;
    const incomplete = make();
    const gone = await send({ method: 'DELETE', path: `${path}/${incomplete.CustomerTransactionId}` }, '4');
    assert.equal(gone.status, 204);
    assert.equal(await gone.text(), '');
    assert.equal(
      sandbox.receivables.invoices.some((i) => i.CustomerTransactionId === incomplete.CustomerTransactionId),
      false,
    );
    assert.deepEqual(
      sandbox.written.invoiceDeletes.map((d) => d['CustomerTransactionId']),
      [incomplete.CustomerTransactionId],
    );
    assert.equal((await send({ method: 'DELETE', path: `${path}/${incomplete.CustomerTransactionId}` }, '4')).status, 404);
    const complete = make();
    sandbox.receivables.patchInvoice(String(complete.CustomerTransactionId), { InvoiceStatus: 'Complete' });
    await refused({ method: 'DELETE', path: `${path}/${complete.CustomerTransactionId}` }, /is complete and can't be deleted\. Credit it instead\./);
    sandbox.options.strict.deleteCompleteInvoices = true;
    try {
      assert.equal((await send({ method: 'DELETE', path: `${path}/${complete.CustomerTransactionId}` }, '4')).status, 204);
    } finally {
      delete sandbox.options.strict.deleteCompleteInvoices;
    }
  });

  it('receivablesCreditMemos POST (header, lines): invoice references and SOAP names are not defined there', async () => {
    const memo = (extra: Record<string, unknown>, line: Record<string, unknown> = {}) => ({
      BusinessUnit: 'Vision Operations',
      TransactionSource: 'Manual',
      TransactionType: 'Credit Memo',
      TransactionDate: '2026-11-02',
      BillToCustomerNumber: sandbox.receivables.accounts[0]!.AccountNumber,
      ...extra,
      receivablesCreditMemoLines: [{ LineDescription: 'Return', LineQuantityCredit: 1, UnitSellingPrice: -5, ...line }],
    });
    const path = `${FSCM}/receivablesCreditMemos`;
    await refused({ method: 'POST', path, body: memo({ PreviousCustomerTrxId: invoiceId }) }, notDefined('PreviousCustomerTrxId', 'receivablesCreditMemos'));
    await refused({ method: 'POST', path, body: memo({}, { Quantity: 1 }) }, notDefined('Quantity', 'receivablesCreditMemoLines'));
  });

  it('hubOrganizations and hubPersons POST/PATCH and the Address / SourceSystemReference children: unknown attributes are 400', async () => {
    const orgs = `${CRM}/hubOrganizations`;
    const persons = `${CRM}/hubPersons`;
    await refused(
      { method: 'POST', path: orgs, body: { OrganizationName: 'X', BillToAccountNumber: '1' } },
      notDefined('BillToAccountNumber', 'hubOrganizations'),
    );
    await refused(
      { method: 'POST', path: orgs, body: { OrganizationName: 'X', Address: [{ Line1: '1 Main', Country: 'US' }] } },
      notDefined('Line1', 'Address'),
    );
    await refused(
      {
        method: 'POST',
        path: orgs,
        body: { OrganizationName: 'X', SourceSystemReference: [{ SourceSystem: 'SHOPIFY', SourceSystemReferenceValue: '1', Id: 1 }] },
      },
      notDefined('Id', 'SourceSystemReference'),
    );
    await refused({ method: 'PATCH', path: `${orgs}/${partyNumber}`, body: { PersonFirstName: 'Jane' } }, notDefined('PersonFirstName', 'hubOrganizations'));
    await refused({ method: 'PATCH', path: `${orgs}/${partyNumber}/child/Address/${addressId}`, body: { Street: 'x' } }, notDefined('Street', 'Address'));
    await refused(
      { method: 'POST', path: persons, body: { PersonLastName: 'Doe', OrganizationName: 'Doe Inc' } },
      notDefined('OrganizationName', 'hubPersons'),
    );
    await refused({ method: 'POST', path: persons, body: { PersonLastName: 'Doe', Address: [{ Zip: '1' }] } }, notDefined('Zip', 'Address'));
    await refused({ method: 'PATCH', path: `${persons}/${personNumber}`, body: { OrganizationName: 'x' } }, notDefined('OrganizationName', 'hubPersons'));
    const person = await send(
      {
        method: 'POST',
        path: persons,
        body: {
          PersonFirstName: 'Jane',
          PersonLastName: 'Doe',
          EmailAddress: 'jane@example.com',
          SourceSystem: 'SHOPIFY',
          SourceSystemReferenceValue: '42',
          Address: [{ AddressType: 'BILL_TO', Address1: '1 Main', Country: 'US' }],
        },
      },
      '4',
    );
    assert.equal(person.status, 201);
    assert.equal(((await person.json()) as Record<string, unknown>)['PersonLastName'], 'Doe');
  });

  it('q names only queryable attributes: anything else is a 400 that lists the queryable ones, on every collection the product reads', async () => {
    const cases: [string, string, string][] = [
      [`${FSCM}/purchaseOrders`, "Description='x'", 'purchaseOrders'],
      [`${FSCM}/receivingReceiptRequests`, "Comments='x'", 'receivingReceiptRequests'],
      [`${FSCM}/suppliers`, "LastUpdateDate>='2026-01-01'", 'suppliers'],
      [`${FSCM}/b2bShipToLocationsLOV`, "Address='x'", 'b2bShipToLocationsLOV'],
      [`${FSCM}/receivablesInvoices`, "Comments='x'", 'receivablesInvoices'],
      [`${FSCM}/receivablesCreditMemos`, "CreditMemoComments='Refund 1'", 'receivablesCreditMemos'],
      [`${FSCM}/receivablesCustomerAccountActivities`, 'PartyId=1', 'receivablesCustomerAccountActivities'],
      [`${FSCM}/customerAccountSitesLOV`, "Location='x'", 'customerAccountSitesLOV'],
      [`${CRM}/hubOrganizations`, "RawPhoneNumber='1'", 'hubOrganizations'],
      [`${CRM}/hubPersons`, "RawPhoneNumber='1'", 'hubPersons'],
    ];
    for (const [path, q, resource] of cases) {
      const attr = /^[A-Za-z]+/.exec(q)![0];
      await refused(
        { method: 'GET', path: `${path}?q=${encodeURIComponent(q)}` },
        new RegExp(`^The attribute ${attr} is not queryable in resource ${resource}\\. Queryable attributes: .+\\.$`),
      );
    }
    const cm = await (await send({ method: 'GET', path: `${FSCM}/receivablesCreditMemos?q=${encodeURIComponent("CreditMemoComments='x'")}` }, '4')).json();
    assert.match(
      (cm as { detail: string }).detail,
      /Queryable attributes: BillToCustomerNumber, CreationDate, CreditMemoStatus, CustomerTransactionId, LastUpdateDate, TransactionDate, TransactionNumber\./,
    );
  });

  it('expand and fields take only documented children and attributes', async () => {
    await refused({ method: 'GET', path: `${FSCM}/purchaseOrders?expand=distributions` }, /not a valid accessor/);
    await refused({ method: 'GET', path: `${FSCM}/purchaseOrders?fields=POHeaderId,ShipToAddress` }, notDefined('ShipToAddress', 'purchaseOrders'));
    await refused({ method: 'GET', path: `${FSCM}/purchaseOrders?fields=POHeaderId;lines:LineNumber,SKU` }, notDefined('SKU', 'lines'));
    const ok = await send({ method: 'GET', path: `${FSCM}/purchaseOrders?fields=POHeaderId,TotalTax;lines:LineNumber;lines.schedules:QuantityReceived` }, '4');
    assert.equal(ok.status, 200);
  });
});

describe('FusionSandbox switches and business rules', () => {
  const auth = (s: FusionSandbox) => `Basic ${Buffer.from(`${s.options.basicUser}:${s.options.basicPassword}`).toString('base64')}`;
  const get = (s: FusionSandbox, path: string) => fetch(`${s.url}${path}`, { headers: { authorization: auth(s), 'rest-framework-version': '4' } });
  const post = (s: FusionSandbox, path: string, body: unknown) =>
    fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { authorization: auth(s), 'rest-framework-version': '4', 'content-type': MEDIA.item },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('UNCONFIRMED queryability is a switch: CreditMemoComments off and purchaseOrders.LastUpdateDate on by default, each can be flipped', async () => {
    const strictest = new FusionSandbox({ strict: { queryable: { 'purchaseOrders.LastUpdateDate': false } } });
    const lenient = new FusionSandbox({ strict: { queryable: { 'receivablesCreditMemos.CreditMemoComments': true } } });
    const byDefault = new FusionSandbox();
    try {
      for (const s of [strictest, lenient, byDefault]) await s.listen(0);
      const delta = `${FSCM}/purchaseOrders?q=${encodeURIComponent("LastUpdateDate>='2026-01-01'")}`;
      const comments = `${FSCM}/receivablesCreditMemos?q=${encodeURIComponent("CreditMemoComments='x'")}`;
      assert.deepEqual(
        await Promise.all([get(byDefault, delta), get(strictest, delta), get(byDefault, comments), get(lenient, comments)].map(async (r) => (await r).status)),
        [200, 400, 400, 200],
      );
    } finally {
      await Promise.all([strictest, lenient, byDefault].map((s) => s.close()));
    }
  });

  type Item = Record<string, unknown> & { lines?: { items: (Record<string, unknown> & { processingErrors?: { items: Record<string, unknown>[] } })[] } };
  const rcv = `${FSCM}/receivingReceiptRequests`;
  const readRequest = async (s: FusionSandbox, id: unknown): Promise<Item> => {
    const r = await get(s, `${rcv}/${String(id)}?expand=lines.processingErrors`);
    assert.equal(r.status, 200);
    return (await r.json()) as Item;
  };
  const errorsOf = (rec: Item) => (rec.lines?.items ?? []).flatMap((l) => (l.processingErrors?.items ?? []).map((e) => String(e['ErrorMessage'])));

  for (const atPost of [false, true]) {
    it(`receipts and ASNs only against a receivable PO, line and schedule: On Hold, Closed for Receiving and Canceled are refused (receiptChecksAtPost ${atPost})`, async () => {
      const s = new FusionSandbox({ seed: 2, strict: { receiptChecksAtPost: atPost } });
      await s.listen(0);
      try {
        const pos = twoLines(s, s.seedPurchaseOrders({ count: 3, linesPerPo: 2, seed: 5 }));
        const line = (p: PurchaseOrder, n = 1, type = 'RECEIVE') => ({
          ReceiptSourceCode: 'VENDOR',
          SourceDocumentCode: 'PO',
          TransactionType: type,
          DocumentNumber: p.OrderNumber,
          DocumentLineNumber: n,
          Quantity: 1,
        });
        const setStatus = (p: PurchaseOrder, body: unknown) =>
          fetch(`${s.url}/__admin/purchase-orders/${p.POHeaderId}/status`, { method: 'POST', body: JSON.stringify(body) });
        /** The refusal's text: a 400 on the POST (checks at POST), or the processing error of the staged request. */
        const refusal = async (res: Response): Promise<string> => {
          const body = (await res.json()) as Item & { detail?: string };
          if (atPost) {
            assert.equal(res.status, 400);
            return String(body.detail);
          }
          assert.equal(res.status, 201, 'the POST only stages the request');
          const rec = await readRequest(s, body['HeaderInterfaceId']);
          assert.equal(rec['ProcessingStatusCode'], 'ERROR');
          assert.ok(
            rec.lines!.items.every((l) => l['ProcessingStatusCode'] === 'ERROR' && l['TransactionStatusCode'] === 'ERROR'),
            'no line of a failed request is processed',
          );
          return errorsOf(rec).join(' | ');
        };
        assert.equal((await setStatus(pos[0]!, { Status: 'On Hold' })).status, 200);
        const held = await post(s, rcv, { ReceiptSourceCode: 'VENDOR', lines: [line(pos[0]!)] });
        assert.match(await refusal(held), new RegExp(`purchase order ${pos[0]!.OrderNumber} has status On Hold and can't be received against`));
        await setStatus(pos[1]!, { Status: 'Closed for Receiving', LineNumber: 1 });
        const closed = await post(s, rcv, { ReceiptSourceCode: 'VENDOR', ASNType: 'ASN', lines: [line(pos[1]!, 1, 'SHIP')] });
        assert.match(await refusal(closed), /line 1 of purchase order \d+ has status Closed for Receiving and can't be received against/);
        await setStatus(pos[2]!, { Status: 'Canceled', LineNumber: 2 });
        assert.match(
          await refusal(await post(s, rcv, { ReceiptSourceCode: 'VENDOR', lines: [line(pos[2]!, 1), line(pos[2]!, 2)] })),
          /line 2 of purchase order \d+ has status Canceled/,
          'one bad line refuses the request',
        );
        assert.equal(pos[2]!.lines[0]!.schedules[0]!.QuantityReceived, 0, 'nothing received from a refused request');
        assert.equal((await post(s, rcv, { ReceiptSourceCode: 'VENDOR', lines: [line(pos[1]!, 2)] })).status, 201, 'the open line still receives');
        assert.equal(
          (await post(s, rcv, { ReceiptSourceCode: 'VENDOR', lines: [line(pos[1]!, 2, 'SHIP')] })).status,
          400,
          'SHIP lines need an ASN header (checked at POST either way)',
        );
        assert.deepEqual([s.written.receipts.length, s.written.asns.length], [1, 0]);
      } finally {
        await s.close();
      }
    });
  }

  it('a receipt request is PENDING until the receiving processor runs (sandbox clock), then SUCCESS; nothing is received before', async () => {
    const s = new FusionSandbox({ seed: 3, receiptProcessingDelayMs: 60_000 });
    await s.listen(0);
    try {
      const [p] = s.seedPurchaseOrders({ count: 1, linesPerPo: 1, seed: 4 });
      const sched = p!.lines[0]!.schedules[0]!;
      const created = await post(s, rcv, {
        ReceiptSourceCode: 'VENDOR',
        ShipmentNumber: 'SB-1',
        lines: [{ SourceDocumentCode: 'PO', TransactionType: 'RECEIVE', DocumentNumber: p!.OrderNumber, DocumentLineNumber: 1, Quantity: 1 }],
      });
      assert.equal(created.status, 201);
      const body = (await created.json()) as Item;
      assert.equal(body['ProcessingStatusCode'], 'PENDING');
      assert.equal(body.lines!.items[0]!['ProcessingStatusCode'], 'PENDING');
      let rec = await readRequest(s, body['HeaderInterfaceId']);
      assert.deepEqual([rec['ProcessingStatusCode'], sched.QuantityReceived, s.written.receipts.length], ['PENDING', 0, 0], 'staged, not received');
      s.advanceClock(60_000);
      rec = await readRequest(s, body['HeaderInterfaceId']);
      assert.equal(rec['ProcessingStatusCode'], 'SUCCESS');
      assert.deepEqual(
        rec.lines!.items.map((l) => [l['ProcessingStatusCode'], l['TransactionStatusCode'], l.processingErrors!.items.length]),
        [['SUCCESS', 'SUCCESS', 0]],
      );
      assert.deepEqual([sched.QuantityReceived, s.written.receipts.length], [1, 1]);
      // The documented child paths answer too.
      const lineId = rec.lines!.items[0]!['InterfaceTransactionId'];
      assert.equal((await get(s, `${rcv}/${String(body['HeaderInterfaceId'])}/child/lines/${String(lineId)}`)).status, 200);
      const errs = await get(s, `${rcv}/${String(body['HeaderInterfaceId'])}/child/lines/${String(lineId)}/child/processingErrors`);
      assert.deepEqual(((await errs.json()) as { items: unknown[] }).items, []);
    } finally {
      await s.close();
    }
  });

  it("over-receipt is a processing error with Oracle's message (processingErrors: ErrorMessage, ErrorMessageName, ColumnName); COMPLETED is the switchable success value", async () => {
    const s = new FusionSandbox({ seed: 3, receiptProcessingDelayMs: 1_000, strict: { receiptProcessedStatus: 'COMPLETED' } });
    await s.listen(0);
    try {
      const [p] = s.seedPurchaseOrders({ count: 1, linesPerPo: 1, seed: 4 });
      const ordered = p!.lines[0]!.schedules[0]!.Quantity;
      const receive = (q: number) =>
        post(s, rcv, {
          ReceiptSourceCode: 'VENDOR',
          lines: [{ SourceDocumentCode: 'PO', TransactionType: 'RECEIVE', DocumentNumber: p!.OrderNumber, DocumentLineNumber: 1, Quantity: q }],
        });
      const first = (await (await receive(ordered)).json()) as Item;
      const second = (await (await receive(1)).json()) as Item;
      assert.deepEqual(
        [first['ProcessingStatusCode'], second['ProcessingStatusCode']],
        ['PENDING', 'PENDING'],
        'both staged: the tolerance is checked when processed',
      );
      s.advanceClock(1_000);
      assert.equal((await readRequest(s, first['HeaderInterfaceId']))['ProcessingStatusCode'], 'COMPLETED');
      const failed = await readRequest(s, second['HeaderInterfaceId']);
      assert.equal(failed['ProcessingStatusCode'], 'ERROR');
      const [error] = failed.lines!.items[0]!.processingErrors!.items;
      assert.equal(error!['ErrorMessageName'], 'RCV-OVER-TOLERANCE');
      assert.equal(error!['ColumnName'], 'QUANTITY');
      assert.match(
        String(error!['ErrorMessage']),
        new RegExp(
          `the quantity ${ordered + 1} exceeds the quantity ordered \\(${ordered}\\) plus the over-receipt tolerance for purchase order ${p!.OrderNumber} line 1`,
        ),
      );
      assert.deepEqual([p!.lines[0]!.schedules[0]!.QuantityReceived, s.written.receipts.length], [ordered, 1]);
    } finally {
      await s.close();
    }
  });

  it('a party source system must be registered (sandbox option); the published third-party hubOrganizations body passes the allow-list', async () => {
    const published = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'fusion', 'customer-huborganization-post.request.json'), 'utf8');
    const s = new FusionSandbox();
    const withRnow = new FusionSandbox({ sourceSystems: ['SHOPIFY', 'RNOW'] });
    await Promise.all([s.listen(0), withRnow.listen(0)]);
    try {
      const unregistered = await post(s, `${CRM}/hubOrganizations`, { OrganizationName: 'X', SourceSystem: 'MAGENTO', SourceSystemReferenceValue: '1' });
      assert.equal(unregistered.status, 400);
      assert.match(((await unregistered.json()) as { detail: string }).detail, /source system MAGENTO isn't registered/);
      assert.equal((await post(s, `${CRM}/hubOrganizations`, published)).status, 400, 'RNOW is not registered here');
      const numbered = await post(withRnow, `${CRM}/hubOrganizations`, published);
      assert.match(
        ((await numbered.json()) as { detail: string }).detail,
        /PartyNumber is generated/,
        'every attribute passed the allow-list; only the client-supplied PartyNumber is refused',
      );
      const { PartyNumber: _n, ...body } = JSON.parse(published) as Record<string, unknown>;
      assert.equal((await post(withRnow, `${CRM}/hubOrganizations`, body)).status, 201);
      const again = await post(withRnow, `${CRM}/hubOrganizations`, {
        OrganizationName: 'Y',
        SourceSystemReference: [{ SourceSystem: 'RNOW', SourceSystemReferenceValue: 'S2A2P224' }],
      });
      assert.match(((await again.json()) as { detail: string }).detail, /already belongs to party/);
    } finally {
      await Promise.all([s.close(), withRnow.close()]);
    }
  });
});
