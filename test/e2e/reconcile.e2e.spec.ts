import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { FusionClient } from '@mlc/partners-fusion-client';
import { REPO_ROOT } from '@mlc/platform-testing';
import { OPERATOR_KEY, System, TENANT } from './support/system';

/**
 * `mlc reconcile` tells the truth (issue 15 item 4): the real CLI against a running audit-projector, whose report
 * reads tenant acme's Shopify sandbox (current totals over GraphQL) and Fusion sandbox (invoices, amendments, memos).
 * Orders whose Fusion documents net to Shopify's total show no difference; a $20 invoice planted straight into Fusion
 * for one order's amendment cross-reference is listed with both amounts and the documents.
 */
describe('mlc reconcile against the partners (audit-projector process, Shopify and Fusion sandboxes)', { timeout: 180_000 }, () => {
  let system: System;
  let fusion: FusionClient;
  const ACCOUNT = 'RECON-1';

  function mlc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'dist/services/cli/src/main.js'), ...argv],
        { env: { ...process.env, MLC_API_URL: system.service('audit-projector').url, MLC_API_KEY: OPERATOR_KEY }, timeout: 60_000 },
        (err, out, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out, err: stderr }),
      );
    });
  }

  async function invoice(crossReference: string, amount: string): Promise<string> {
    const inv = await fusion.createInvoice({
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
    await fusion.completeInvoice(inv.CustomerTransactionId);
    return inv.TransactionNumber;
  }

  before(async () => {
    system = await System.start('reconcile', { services: ['audit-projector'] });
    system.fusion.receivables.seedCustomerAccount({
      accountNumber: ACCOUNT,
      name: 'Reconcile Customer',
      address: { Address1: '1 Main St', City: 'Ottawa', State: 'ON', PostalCode: 'K1A 0A1', Country: 'CA' },
    });
    fusion = new FusionClient({
      baseUrl: system.fusion.url,
      auth: { kind: 'basic', user: system.fusion.options.basicUser, password: system.fusion.options.basicPassword },
    });
  });
  after(async () => {
    await system?.close();
  });

  it('shows no difference for orders Fusion bills to the cent, and lists the one the test plants', async () => {
    const shop = system.shopify;
    const a = shop.createOrder({ lines: [{ title: 'Mug', price: '18.00', quantity: 1 }] });
    const b = shop.createOrder({ lines: [{ title: 'Hoodie', price: '64.99', quantity: 2 }] });
    const currentTotal = async (id: bigint) => {
      const report = (await system.operator('GET', `/ops/reports/reconciliation?tenant=${TENANT}`)).json as {
        receivablesDifferences: Array<{ shopifyOrderId: string; shopifyAmount: string }>;
      };
      return report.receivablesDifferences.find((d) => d.shopifyOrderId === String(id))!.shopifyAmount;
    };
    // Before any invoice: both orders are listed as not in Fusion (the report reads Shopify, not our records).
    const before = await mlc('reconcile', '--tenant', TENANT);
    assert.equal(before.code, 3, before.err);
    assert.match(before.out, /no Fusion invoice/);
    const aTotal = await currentTotal(a.id);
    const bTotal = await currentTotal(b.id);
    await invoice(String(a.id), aTotal);
    const bInvoice = await invoice(String(b.id), bTotal);

    const clean = await mlc('reconcile', '--tenant', TENANT);
    assert.equal(clean.code, 0, clean.out + clean.err);
    assert.match(clean.out, new RegExp(`${TENANT}\\s+2\\s+0\\s+checked`), clean.out);
    assert.match(clean.out, /DIFFERENCES \(Shopify current total vs Fusion invoices \+ amendments - credit memos\)\n\(none\)/, clean.out);

    const planted = await invoice(`${b.id}-A1`, '20.00');
    const dirty = await mlc('reconcile', '--tenant', TENANT);
    assert.equal(dirty.code, 3, dirty.out + dirty.err);
    const line = dirty.out.split('\n').find((l) => l.includes(String(b.id)));
    assert.ok(line, dirty.out);
    const fusionAmount = (Number(bTotal) + 20).toFixed(2);
    assert.match(
      line,
      new RegExp(
        `CAD\\s+${bTotal.replace('.', '\\.')}\\s+${fusionAmount.replace('.', '\\.')}\\s+-20\\.00\\s+INV ${bInvoice} \\+${bTotal.replace('.', '\\.')}, INV ${planted} \\+20\\.00\\s+Fusion bills 20\\.00 more`,
      ),
    );
    assert.ok(!dirty.out.includes(String(a.id)), 'the clean order is not listed');
  });
});
