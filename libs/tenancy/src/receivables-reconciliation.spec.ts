import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createInvoiceCreditMemo, FusionClient } from '@mlc/partners-fusion-client';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { ShopifyClient } from '@mlc/partners-shopify-client';
import { ShopifySandbox } from '@mlc/partners-shopify-simulator';
import { compareOrder, reconcileReceivables, refundMemoNumber, type KnownOrderDocuments, type ReconciledDocument } from './receivables-reconciliation';

/**
 * `mlc reconcile`'s receivables check against the strict sandboxes: Shopify's current total (GraphQL) against all the
 * order's Fusion documents (invoices by CrossReference, memos by TransactionNumber). A clean order shows nothing; a
 * planted extra invoice and a refund without its memo are listed with both amounts and the documents.
 */
describe('receivables reconciliation against the Shopify and Fusion sandboxes', () => {
  const fusion = new FusionSandbox({ seed: 11 });
  const shopify = new ShopifySandbox({ seed: 11 });
  let fusionClient: FusionClient;
  let shopifyClient: ShopifyClient;
  const ACCOUNT = 'REC-1';
  const known = new Map<string, KnownOrderDocuments>();
  const knownOf = async (id: string): Promise<KnownOrderDocuments> => known.get(id) ?? { transactionNumbers: [], refundIds: [] };

  before(async () => {
    const [fusionUrl, shopifyUrl] = await Promise.all([fusion.listen(0), shopify.listen()]);
    fusion.receivables.seedCustomerAccount({
      accountNumber: ACCOUNT,
      name: 'Reconcile Customer',
      address: { Address1: '1 Main St', City: 'Ottawa', State: 'ON', PostalCode: 'K1A 0A1', Country: 'CA' },
    });
    fusionClient = new FusionClient({ baseUrl: fusionUrl, auth: { kind: 'basic', user: fusion.options.basicUser, password: fusion.options.basicPassword } });
    shopifyClient = new ShopifyClient({ baseUrl: shopifyUrl, apiVersion: '2026-10', clientId: shopify.clientId, clientSecret: shopify.clientSecret });
  });
  after(async () => {
    await Promise.all([fusion.close(), shopify.close()]);
  });

  /** An invoice in Fusion for `crossReference` of one line `amount`, completed (as the writer leaves it). */
  async function invoice(crossReference: string, amount: string): Promise<{ id: string; number: string }> {
    const inv = await fusionClient.createInvoice({
      BusinessUnit: 'US1 Business Unit',
      TransactionSource: 'SHOPIFY',
      TransactionType: 'Invoice',
      TransactionDate: '2026-12-01',
      BillToCustomerNumber: ACCOUNT,
      PaymentTerms: 'IMMEDIATE',
      InvoiceCurrencyCode: 'CAD',
      CrossReference: crossReference,
      Comments: `Shopify order ${crossReference}`,
      receivablesInvoiceLines: [{ LineNumber: 1, Description: 'Order total', Quantity: 1, UnitSellingPrice: Number(amount) }],
      receivablesInvoiceDistributions: [{ InvoiceLineNumber: 1, AccountClass: 'Revenue', AccountCombination: '101-10-4000-000', Amount: Number(amount) }],
    });
    await fusionClient.completeInvoice(inv.CustomerTransactionId);
    return { id: inv.CustomerTransactionId, number: inv.TransactionNumber };
  }

  it('a clean order shows no difference; a planted extra invoice and a refund without its memo are listed; the memo clears it', async () => {
    const window = { from: new Date(shopify.now() - 60_000), to: new Date(shopify.now() + 3_600_000) };
    const clean = shopify.createOrder({ lines: [{ title: 'Mug', price: '18.00', quantity: 1 }] });
    const overBilled = shopify.createOrder({ lines: [{ title: 'Hoodie', price: '64.99', quantity: 2 }] });
    const refunded = shopify.createOrder({ paid: true, lines: [{ title: 'Tee', price: '25.00', quantity: 2 }] });
    const total = async (id: bigint) => (await shopifyClient.getOrder(String(id)))!.currentTotal.amount;
    await invoice(String(clean.id), await total(clean.id));
    const billed = await invoice(String(overBilled.id), await total(overBilled.id));
    const refundedInvoice = await invoice(String(refunded.id), await total(refunded.id));

    const first = await reconcileReceivables('t1', { shopify: shopifyClient, fusion: fusionClient }, window, knownOf);
    assert.equal(first.ordersChecked, 3);
    assert.deepEqual(first.differences, [], 'every order nets to its Shopify total');

    // Plant: an extra $20.00 invoice posted straight into Fusion for the order's amendment CrossReference.
    const planted = await invoice(`${overBilled.id}-A1`, '20.00');
    // And a Shopify refund whose credit memo never reached Fusion.
    shopify.refundOrder(refunded.id, { lines: [{ lineItemId: refunded.lineItems[0]!.id, quantity: 1 }] });
    const refundId = String(shopify.orders.get(refunded.id)!.refunds[0]!.id);
    known.set(String(refunded.id), { transactionNumbers: [], refundIds: [refundId] });

    const second = await reconcileReceivables('t1', { shopify: shopifyClient, fusion: fusionClient }, window, knownOf);
    const byOrder = new Map(second.differences.map((d) => [d.shopifyOrderId, d]));
    assert.equal(second.differences.length, 2, JSON.stringify(second.differences));
    const over = byOrder.get(String(overBilled.id))!;
    const shopifyTotal = await total(overBilled.id);
    assert.equal(over.shopifyAmount, shopifyTotal);
    assert.equal(over.fusionAmount, (Number(shopifyTotal) + 20).toFixed(2));
    assert.equal(over.difference, '-20.00');
    assert.deepEqual(
      over.documents.map((d) => [d.kind, d.transactionNumber, d.amount]),
      [
        ['invoice', billed.number, shopifyTotal],
        ['amendment', planted.number, '20.00'],
      ],
    );
    assert.match(over.reason, /Fusion bills 20\.00 more/);
    const missingMemo = byOrder.get(String(refunded.id))!;
    assert.ok(Number(missingMemo.difference) < 0, 'Fusion still bills the refunded money');
    assert.equal(missingMemo.shopifyAmount, await total(refunded.id));

    // The memo for the refund clears that difference. The sandbox's default source numbers memos itself (the
    // number sent is replaced: creditMemoNumbering 'assigned'), so it is found by the number the writer reported.
    const memo = await createInvoiceCreditMemo(fusionClient, {
      previousCustomerTransactionId: refundedInvoice.id,
      currencyCode: 'CAD',
      transactionDate: '2026-12-02',
      lineAmount: (Number(missingMemo.fusionAmount) - Number(missingMemo.shopifyAmount)).toFixed(2),
      transactionNumber: refundMemoNumber(refundId),
      comments: `Shopify refund ${refundId}`,
    });
    assert.notEqual(memo.transactionNumber, refundMemoNumber(refundId), 'numbered by Fusion');
    known.set(String(refunded.id), { transactionNumbers: [memo.transactionNumber], refundIds: [refundId] });
    const third = await reconcileReceivables('t1', { shopify: shopifyClient, fusion: fusionClient }, window, knownOf);
    assert.deepEqual(
      third.differences.map((d) => d.shopifyOrderId),
      [String(overBilled.id)],
      JSON.stringify(third.differences),
    );
  });
  it('a cancelled order is compared with 0 (ADR-001 §7 credits its open balance), although Shopify keeps its current total', () => {
    const order = { id: '1', name: '#1', currentTotal: { amount: '175.14', currency: 'CAD' } };
    const invoiced: ReconciledDocument = { kind: 'invoice', transactionNumber: '1001', customerTransactionId: '9', crossReference: '1', amount: '175.140' };
    const credited: ReconciledDocument = {
      kind: 'credit_memo',
      transactionNumber: 'C1',
      customerTransactionId: '10',
      crossReference: null,
      amount: '-175.140',
    };
    assert.equal(compareOrder('t1', order, [invoiced]), undefined, 'open order billed in full');
    assert.equal(compareOrder('t1', { ...order, cancelledAt: '2026-12-07T00:00:00Z' }, [invoiced, credited]), undefined, 'cancelled and credited');
    const open = compareOrder('t1', { ...order, cancelledAt: '2026-12-07T00:00:00Z' }, [invoiced]);
    assert.deepEqual(
      [open?.shopifyAmount, open?.fusionAmount, open?.difference, open?.reason],
      ['0.00', '175.14', '-175.14', 'Fusion bills 175.14 more than a cancelled order owes (0)'],
    );
  });
});
