import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCustomerAccount, createInvoiceCreditMemo, FusionClient } from '@mlc/partners-fusion-client';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { recordWrites } from '@mlc/tenancy';
import { fusionOperation, fusionStandIns } from './fusion-dry-run';

/**
 * The dry-run recorder between the real Fusion client and the strict Fusion sandbox: reads reach the sandbox, writes
 * are recorded with their exact body and never reach it, the stand-in answers parse through the client (party,
 * SOAP account, invoice, completion), a write without a stand-in stops the use case, and nothing outside a
 * recordWrites scope is touched.
 */
describe('dry run recorder (Fusion client against the Fusion sandbox)', () => {
  let sandbox: FusionSandbox;
  let client: FusionClient;

  before(async () => {
    sandbox = new FusionSandbox({ seed: 3 });
    await sandbox.listen();
    client = new FusionClient({ baseUrl: sandbox.url, auth: { kind: 'basic', user: sandbox.options.basicUser, password: sandbox.options.basicPassword } });
  });
  after(async () => {
    await sandbox.close();
  });

  it('records a new customer, its account and its invoice without writing any of them, and stops at a credit memo', async () => {
    const partiesBefore = sandbox.receivables.parties.length;
    const invoicesBefore = sandbox.receivables.invoices.length;
    const run = await recordWrites(sandbox.url, fusionStandIns, async () => {
      assert.deepEqual(await client.findOrganizations({ email: 'nobody@example.com' }, { name: 'Nobody' }), []);
      const party = await client.createOrganization({
        OrganizationName: 'Dry Run Ltd',
        PartyUsageCode: 'CUSTOMER',
        Address: [{ Address1: '1 Main St', City: 'Ottawa', Country: 'CA' }],
      });
      const account = await createCustomerAccount(client, { partyId: party.PartyId, accountName: 'Dry Run Ltd', partySiteId: party.Address[0]!.PartySiteId });
      const invoice = await client.createInvoice({
        BusinessUnit: 'US1 Business Unit',
        TransactionSource: 'SHOPIFY',
        TransactionType: 'Invoice',
        TransactionDate: '2026-12-01',
        BillToCustomerNumber: account.accountNumber,
        CrossReference: '777',
        receivablesInvoiceLines: [{ LineNumber: 1, Description: 'Order total', Quantity: 1, UnitSellingPrice: 10 }],
      });
      await client.completeInvoice(invoice.CustomerTransactionId);
      await createInvoiceCreditMemo(client, {
        previousCustomerTransactionId: invoice.CustomerTransactionId,
        currencyCode: 'CAD',
        transactionDate: '2026-12-02',
        lineAmount: '5.00',
        transactionNumber: 'R1',
      });
      return 'reached the end';
    });
    assert.equal(run.halted, true, String(run.error));
    assert.equal(run.result, undefined);
    assert.deepEqual(
      run.writes.map((w) => [w.method, fusionOperation(w)]),
      [
        ['POST', 'create-organization'],
        ['POST', 'create-customer-account'],
        ['POST', 'create-invoice'],
        ['PATCH', 'complete-invoice'],
        ['POST', 'create-credit-memo'],
      ],
    );
    const invoiceBody = JSON.parse(run.writes[2]!.body!) as { BillToCustomerNumber: string; CrossReference: string };
    assert.equal(invoiceBody.CrossReference, '777');
    assert.match(invoiceBody.BillToCustomerNumber, /^DRYRUN-\d+$/, 'the stand-in account number reached the invoice');
    assert.match(run.writes[4]!.body!, /<cre:LineAmount currencyCode="CAD">-5.00<\/cre:LineAmount>/);
    assert.ok(!JSON.stringify(run.writes).includes(sandbox.options.basicPassword), 'no credential recorded');
    assert.equal(sandbox.receivables.parties.length, partiesBefore, 'no party written');
    assert.equal(sandbox.receivables.invoices.length, invoicesBefore, 'no invoice written');
  });

  it('lets failures of reads through as they are, and writes outside a dry-run scope go to the partner', async () => {
    const run = await recordWrites(sandbox.url, fusionStandIns, () => client.getPurchaseOrder('does-not-exist'));
    assert.equal(run.halted, false);
    assert.ok(run.error instanceof Error, 'the read failed as it would live');
    assert.deepEqual(run.writes, []);
    const before = sandbox.receivables.parties.length;
    await client.createOrganization({
      OrganizationName: 'Live Ltd',
      PartyUsageCode: 'CUSTOMER',
      Address: [{ Address1: '2 Main St', City: 'Ottawa', Country: 'CA' }],
    });
    assert.equal(sandbox.receivables.parties.length, before + 1);
  });
});
