import type { TopicRecords } from '@mlc/contracts';
import type {
  AmendmentDocument,
  BillTo,
  CreditMemoDocument,
  CustomerDocument,
  InvoiceDocument,
  PaidDocument,
} from '@mlc/domain-accounting';
import {
  createCustomerAccount,
  createInvoiceCreditMemo,
  findBillToSites,
  findCreditMemosByComments,
  findInvoicesWithLines,
  type FusionAddressPatch,
  type FusionClient,
  type FusionInvoiceInput,
  type FusionInvoiceWithLines,
  type FusionOrganization,
  type FusionOrganizationPatch,
} from '@mlc/partners-fusion-client';
import { AppError } from '@mlc/platform-errors';
import { newMeta, type OutgoingRecord } from '@mlc/platform-kafka';
import type { Logger } from '@mlc/platform-telemetry';
import type { KnownCustomer, ReceivablesLedger, ReceivablesResult } from './receivables.ledger';

type Requested = TopicRecords['accounting.fusion-receivables.requested.v1'];

/** Fusion's sample credit memo transaction type (reference §6); tenant settings carry only the invoice type. */
export const CREDIT_MEMO_TRANSACTION_TYPE = 'Credit Memo';

/** The command is fine but something it needs is not in Fusion yet (e.g. the invoice to credit): back off and retry. */
export class ReceivablesNotReadyError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('FUSION_WRITER.NOT_READY', message, { retryable: true, retryAfterMs: 2_000, details });
  }
}

/**
 * The tenant's guest customer account (settings.accounting.guestCustomerAccountNumber) has no bill-to site in Fusion:
 * a missing mapping, parked until the account exists in Fusion or the setting is corrected, then replayed.
 */
export class GuestAccountMissingError extends AppError {
  constructor(accountNumber: string) {
    super(
      'FUSION_WRITER.MISSING_MAPPING_GUEST_ACCOUNT',
      `the guest customer account ${accountNumber} (settings.accounting.guestCustomerAccountNumber) does not exist in Fusion or has no BILL_TO site`,
      { retryable: false, details: { guestCustomerAccountNumber: accountNumber } },
    );
  }
}

/** The command cannot be carried out as it is (unknown kind, unreadable document): parked for review. */
export class ReceivablesCommandError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('FUSION_WRITER.BAD_COMMAND', message, { retryable: false, details });
  }
}

interface Resolved {
  accountNumber: string;
  billToSite: string | undefined;
  partyId: string | null;
  created: boolean;
}

const num = (decimal: string): number => Number(decimal);

/** Shopify's updated_at as epoch ms; null when absent or unreadable. */
function versionOf(updatedAt: string | null | undefined): number | null {
  const ms = Date.parse(updatedAt ?? '');
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Carries out accounting.fusion-receivables.requested.v1 in Fusion: customers (match by email / external id per the
 * tenant's rule, else party over REST + account and BILL_TO site over SOAP), invoices (looked up by CrossReference
 * before every create, completed after), credit memos against the invoice (SOAP, looked up by their comments first),
 * amendments per ADR-001 and payments (completing the invoice). Every write is checked against our ledger and then
 * against Fusion first, so a replayed command never creates a second document.
 */
export class ReceivablesWriteService {
  constructor(
    private readonly fusion: (tenantId: string) => Promise<FusionClient>,
    private readonly ledger: ReceivablesLedger,
    private readonly log: Logger,
  ) {}

  async handle(cmd: Requested): Promise<OutgoingRecord[]> {
    const tenantId = cmd.meta.tenantId;
    const previous = await this.ledger.done(tenantId, cmd.idempotencyKey);
    if (previous) return [this.synced(cmd, { ...previous, outcome: previous.outcome === 'created' || previous.outcome === 'already_existed' ? 'already_existed' : 'unchanged' })];
    let doc: unknown;
    try {
      doc = JSON.parse(cmd.document);
    } catch (err) {
      throw new ReceivablesCommandError(`document of ${cmd.idempotencyKey} is not JSON`, { cause: String(err) });
    }
    const client = await this.fusion(tenantId);
    let result: ReceivablesResult;
    try {
      switch (cmd.kind) {
        case 'customer_upsert':
          result = await this.customerUpsert(client, tenantId, doc as CustomerDocument);
          break;
        case 'invoice_create':
          result = await this.invoice(client, tenantId, doc as InvoiceDocument);
          break;
        case 'invoice_amend':
          result = await this.amend(client, tenantId, doc as AmendmentDocument);
          break;
        case 'credit_memo':
          result = await this.creditMemo(client, doc as CreditMemoDocument);
          break;
        case 'invoice_paid':
          result = await this.paid(client, doc as PaidDocument);
          break;
        default:
          throw new ReceivablesCommandError(`unknown receivables command kind ${String(cmd.kind)}`, { kind: cmd.kind });
      }
    } catch (err) {
      // A create whose answer was lost: every path looks its document up before creating, so trying again is safe.
      if (err instanceof AppError && err.code === 'FUSION.OUTCOME_UNKNOWN') {
        throw new AppError('FUSION_WRITER.OUTCOME_UNKNOWN', `${err.message} (will look it up and retry)`, { retryable: true, cause: err, details: err.details as Record<string, unknown> });
      }
      throw err;
    }
    await this.ledger.markDone(tenantId, cmd.idempotencyKey, cmd.kind, result);
    this.log.info('fusion receivables written', { tenantId, kind: cmd.kind, idempotencyKey: cmd.idempotencyKey, outcome: result.outcome, transaction: result.fusionTransactionNumber });
    return [this.synced(cmd, result)];
  }

  // ---- customers --------------------------------------------------------------------------------------------------

  /**
   * customers/create|update: a customer with an address is matched or created at once; one without waits for its
   * first order (whose billing address makes the bill-to site). A customer already in Fusion is updated in place
   * (reference §8: PATCH hubOrganizations/{PartyNumber} for name, email and phone; PATCH of its Address child for the
   * bill-to address, so the party site and the account's BILL_TO site built on it keep their ids), but only by a
   * version newer than the one last written: Shopify's updated_at orders the updates, an older one changes nothing.
   */
  private async customerUpsert(client: FusionClient, tenantId: string, doc: CustomerDocument): Promise<ReceivablesResult> {
    const known = await this.ledger.customer(tenantId, doc.shopifyCustomerId);
    const result = (outcome: ReceivablesResult['outcome'], accountNumber: string | null): ReceivablesResult => ({
      outcome,
      fusionCustomerAccountId: null,
      fusionCustomerAccountNumber: accountNumber,
      fusionTransactionNumber: null,
      fusionTransactionId: null,
      amount: null,
      currency: null,
    });
    if (!known) {
      if (!doc.address) return result('unchanged', null);
      const r = await this.resolveCustomer(client, tenantId, doc);
      return result(r.created ? 'created' : 'already_existed', r.accountNumber);
    }
    const at = versionOf(doc.updatedAt);
    if (at === null || (known.shopifyUpdatedAt && at <= known.shopifyUpdatedAt.getTime())) {
      this.log.info('customer update not newer than the version in Fusion; nothing written', { tenantId, shopifyCustomerId: doc.shopifyCustomerId, updatedAt: doc.updatedAt });
      return result('unchanged', known.accountNumber);
    }
    const changed = await this.updateCustomer(client, known, doc);
    await this.ledger.saveCustomer(tenantId, doc.shopifyCustomerId, { ...known, partyNumber: changed.partyNumber, shopifyUpdatedAt: new Date(at) });
    return result(changed.written ? 'updated' : 'unchanged', known.accountNumber);
  }

  /** Writes what differs between the Fusion party of a known customer and the customer document. */
  private async updateCustomer(client: FusionClient, known: KnownCustomer, doc: CustomerDocument): Promise<{ partyNumber: string; written: boolean }> {
    let party = known.partyNumber ? await client.getOrganization(known.partyNumber) : undefined;
    if (!party) {
      const found = await this.findParty(client, doc);
      party = found && String(found.PartyId) === known.partyId ? found : undefined;
    }
    if (!party) throw new ReceivablesNotReadyError(`Fusion party ${known.partyNumber ?? known.partyId} of Shopify customer ${doc.shopifyCustomerId} was not found`, { partyId: known.partyId, partyNumber: known.partyNumber ?? null });
    let written = false;
    const patch: FusionOrganizationPatch = {};
    if (doc.name && party.OrganizationName !== doc.name) patch.OrganizationName = doc.name;
    if (doc.email && party.EmailAddress !== doc.email) patch.EmailAddress = doc.email;
    if (doc.phone && party['RawPhoneNumber'] !== doc.phone) patch.RawPhoneNumber = doc.phone;
    if (Object.keys(patch).length) {
      await client.updateOrganization(party.PartyNumber, patch);
      written = true;
    }
    if (doc.address) {
      const site = (await findBillToSites(client, { partyId: party.PartyId })).find((s) => s.AccountNumber === known.accountNumber);
      const address = party.Address.find((a) => site && a.PartySiteId === site.PartySiteId) ?? party.Address.find((a) => a['AddressType'] === 'BILL_TO') ?? party.Address[0];
      if (!address) throw new ReceivablesCommandError(`party ${party.PartyNumber} has no address to update`, { partyNumber: party.PartyNumber });
      const want: Record<string, string | null> = { Address1: doc.address.Address1, Address2: doc.address.Address2 ?? null, City: doc.address.City ?? null, State: doc.address.State ?? null, PostalCode: doc.address.PostalCode ?? null, Country: doc.address.Country };
      const diff: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(want)) if ((address[k] ?? null) !== v) diff[k] = v;
      if (Object.keys(diff).length) {
        await client.updateOrganizationAddress(party.PartyNumber, address.AddressId, diff as FusionAddressPatch);
        written = true;
      }
    }
    return { partyNumber: party.PartyNumber, written };
  }

  private async findParty(client: FusionClient, doc: CustomerDocument): Promise<FusionOrganization | undefined> {
    // The name lets the client match by name where Fusion refuses q on email / source reference (UNCONFIRMED queryability).
    const byEmail = async () => (doc.email ? (await client.findOrganizations({ email: doc.email }, { name: doc.name }))[0] : undefined);
    const byRef = async () => (await client.findOrganizations({ sourceSystem: doc.sourceSystem, reference: doc.shopifyCustomerId }, { name: doc.name }))[0];
    return doc.matching === 'external-id-then-email' ? ((await byRef()) ?? (await byEmail())) : ((await byEmail()) ?? (await byRef()));
  }

  /** The Fusion customer account and bill-to site of a Shopify customer: ours from the ledger, matched, or created. */
  private async resolveCustomer(client: FusionClient, tenantId: string, doc: CustomerDocument): Promise<Resolved> {
    const known = await this.ledger.customer(tenantId, doc.shopifyCustomerId);
    if (known) return { accountNumber: known.accountNumber, billToSite: known.billToSite ?? undefined, partyId: known.partyId, created: false };
    let created = false;
    let party = await this.findParty(client, doc);
    if (!party) {
      party = await client.createOrganization({
        OrganizationName: doc.name,
        ...(doc.email ? { EmailAddress: doc.email } : {}),
        ...(doc.phone ? { RawPhoneNumber: doc.phone } : {}),
        PartyUsageCode: 'CUSTOMER',
        SourceSystem: doc.sourceSystem,
        SourceSystemReferenceValue: doc.shopifyCustomerId,
        ...(doc.address ? { Address: [doc.address] } : {}),
      });
      created = true;
    }
    const site = (await findBillToSites(client, { partyId: party.PartyId }))[0];
    let accountNumber = site?.AccountNumber;
    let billToSite = site?.Location;
    if (!site) {
      const partySite = party.Address.find((a) => a['AddressType'] === 'BILL_TO') ?? party.Address[0];
      if (!partySite) throw new ReceivablesCommandError(`party ${party.PartyNumber} has no address to bill to`, { partyNumber: party.PartyNumber });
      const account = await createCustomerAccount(client, { partyId: party.PartyId, accountName: doc.name, partySiteId: partySite.PartySiteId });
      accountNumber = account.accountNumber;
      billToSite = account.billTo?.location;
      created = true;
    }
    const at = versionOf(doc.updatedAt);
    const c: KnownCustomer = { partyId: String(party.PartyId), accountNumber: accountNumber!, billToSite: billToSite ?? null, partyNumber: party.PartyNumber, shopifyUpdatedAt: at === null ? null : new Date(at) };
    await this.ledger.saveCustomer(tenantId, doc.shopifyCustomerId, c);
    return { accountNumber: c.accountNumber, billToSite: c.billToSite ?? undefined, partyId: c.partyId, created };
  }

  private async billTo(client: FusionClient, tenantId: string, billTo: BillTo): Promise<Resolved> {
    if (billTo.kind === 'customer') return this.resolveCustomer(client, tenantId, billTo.customer);
    const site = (await findBillToSites(client, { accountNumber: billTo.accountNumber }))[0];
    if (!site) throw new GuestAccountMissingError(billTo.accountNumber);
    return { accountNumber: billTo.accountNumber, billToSite: site?.Location, partyId: null, created: false };
  }

  // ---- invoices ---------------------------------------------------------------------------------------------------

  private async invoice(client: FusionClient, tenantId: string, doc: InvoiceDocument): Promise<ReceivablesResult> {
    const customer = await this.billTo(client, tenantId, doc.billTo);
    const result = (inv: { CustomerTransactionId: number; TransactionNumber: string }, outcome: ReceivablesResult['outcome']): ReceivablesResult => ({
      outcome,
      fusionCustomerAccountId: null,
      fusionCustomerAccountNumber: customer.accountNumber,
      fusionTransactionNumber: inv.TransactionNumber,
      fusionTransactionId: String(inv.CustomerTransactionId),
      amount: doc.total,
      currency: doc.currency,
    });
    const existing = (await findInvoicesWithLines(client, doc.crossReference))[0];
    if (existing) {
      if (existing.InvoiceStatus !== 'Complete') await client.completeInvoice(existing.CustomerTransactionId);
      return result(existing, 'already_existed');
    }
    const input: FusionInvoiceInput = {
      BusinessUnit: doc.businessUnit,
      TransactionSource: doc.transactionSource,
      TransactionType: doc.transactionType,
      TransactionDate: doc.transactionDate,
      BillToCustomerNumber: customer.accountNumber,
      ...(customer.billToSite ? { BillToSite: customer.billToSite } : {}),
      PaymentTerms: doc.paymentTerms,
      InvoiceCurrencyCode: doc.currency,
      CrossReference: doc.crossReference,
      ...(doc.purchaseOrder ? { PurchaseOrder: doc.purchaseOrder } : {}),
      Comments: doc.comments,
      receivablesInvoiceLines: doc.lines.map((l) => ({
        LineNumber: l.lineNumber,
        Description: (l.itemNumber ? `${l.itemNumber} ${l.description}` : l.description).slice(0, 240),
        Quantity: num(l.quantity),
        UnitSellingPrice: num(l.unitSellingPrice),
      })),
      receivablesInvoiceDistributions: doc.lines.map((l) => ({ InvoiceLineNumber: l.lineNumber, AccountClass: 'Revenue' as const, AccountCombination: doc.revenueAccountCombination, Amount: num(l.amount) })),
    };
    const created = await client.createInvoice(input);
    await client.completeInvoice(created.CustomerTransactionId);
    return result(created, 'created');
  }

  private async originalInvoice(client: FusionClient, crossReference: string): Promise<FusionInvoiceWithLines> {
    const inv = (await findInvoicesWithLines(client, crossReference))[0];
    if (!inv) throw new ReceivablesNotReadyError(`invoice ${crossReference} is not in Fusion yet`, { crossReference });
    if (inv.InvoiceStatus !== 'Complete') await client.completeInvoice(inv.CustomerTransactionId);
    return inv;
  }

  private async creditMemo(client: FusionClient, doc: CreditMemoDocument): Promise<ReceivablesResult> {
    const invoice = await this.originalInvoice(client, doc.invoiceCrossReference);
    const base = { fusionCustomerAccountId: null, fusionCustomerAccountNumber: invoice.BillToCustomerNumber ?? null, amount: doc.total, currency: doc.currency };
    // Looked up by documented queryable keys (account and date), then matched on our comments (not queryable in Fusion).
    const keys = { ...(invoice.BillToCustomerNumber ? { billToCustomerNumber: invoice.BillToCustomerNumber } : {}), transactionDate: doc.transactionDate };
    const existing = (await findCreditMemosByComments(client, doc.comments, keys))[0];
    if (existing) return { ...base, outcome: 'already_existed', fusionTransactionNumber: existing.TransactionNumber, fusionTransactionId: String(existing.CustomerTransactionId) };
    const lineId = (n: number | null) => (n === null ? undefined : invoice.lines.find((l) => Number(l.LineNumber) === n)?.CustomerTransactionLineId);
    const memo = await createInvoiceCreditMemo(client, {
      businessUnit: doc.businessUnit,
      transactionSource: doc.transactionSource,
      transactionType: CREDIT_MEMO_TRANSACTION_TYPE,
      trxDate: doc.transactionDate,
      currencyCode: doc.currency,
      previousCustomerTrxId: invoice.CustomerTransactionId,
      comments: doc.comments,
      reason: doc.reason.kind === 'refund' ? 'RETURN' : 'PRICING',
      lines: doc.lines.map((l) => {
        const id = lineId(l.invoiceLineNumber);
        return { description: l.description, quantity: l.quantity, unitSellingPrice: l.unitSellingPrice, ...(id !== undefined ? { previousCustomerTrxLineId: id } : {}) };
      }),
    });
    return { ...base, outcome: 'created', fusionTransactionNumber: memo.transactionNumber, fusionTransactionId: String(memo.customerTrxId) };
  }

  private async amend(client: FusionClient, tenantId: string, doc: AmendmentDocument): Promise<ReceivablesResult> {
    let debit: ReceivablesResult | undefined;
    let credit: ReceivablesResult | undefined;
    if (doc.debit) debit = await this.invoice(client, tenantId, doc.debit);
    if (doc.credit) credit = await this.creditMemo(client, doc.credit);
    const main = debit ?? credit!;
    const outcome = [debit, credit].some((r) => r?.outcome === 'created') ? 'created' : 'already_existed';
    return {
      ...main,
      outcome,
      fusionTransactionNumber: [debit?.fusionTransactionNumber, credit?.fusionTransactionNumber].filter(Boolean).join(',') || null,
      amount: [doc.debit?.total, doc.credit?.total].filter(Boolean).join(',') || null,
    };
  }

  /**
   * orders/paid: Fusion's invoice PATCH only takes InvoiceStatus, PaymentTerms and TransactionDate, and the reference
   * gives no receipt API, so the payment is recorded by making sure the invoice is Complete (ADR-001); applying cash is
   * left to Fusion's own receipt processing.
   */
  private async paid(client: FusionClient, doc: PaidDocument): Promise<ReceivablesResult> {
    const inv = (await findInvoicesWithLines(client, doc.invoiceCrossReference))[0];
    if (!inv) throw new ReceivablesNotReadyError(`invoice ${doc.invoiceCrossReference} is not in Fusion yet`, { crossReference: doc.invoiceCrossReference });
    const complete = inv.InvoiceStatus === 'Complete';
    if (!complete) await client.completeInvoice(inv.CustomerTransactionId);
    return {
      outcome: complete ? 'unchanged' : 'updated',
      fusionCustomerAccountId: null,
      fusionCustomerAccountNumber: inv.BillToCustomerNumber ?? null,
      fusionTransactionNumber: inv.TransactionNumber,
      fusionTransactionId: String(inv.CustomerTransactionId),
      amount: doc.total,
      currency: doc.currency,
    };
  }

  private synced(cmd: Requested, r: ReceivablesResult): OutgoingRecord<'accounting.fusion-receivables.synced.v1'> {
    return {
      topic: 'accounting.fusion-receivables.synced.v1',
      key: `${cmd.meta.tenantId}:${cmd.shopifyOrderId ?? cmd.shopifyCustomerId ?? cmd.idempotencyKey}`,
      value: {
        meta: newMeta({ tenantId: cmd.meta.tenantId, source: 'fusion-writer', causedBy: cmd.meta }),
        kind: cmd.kind,
        outcome: r.outcome,
        idempotencyKey: cmd.idempotencyKey,
        shopDomain: cmd.shopDomain,
        shopifyOrderId: cmd.shopifyOrderId,
        shopifyOrderName: cmd.shopifyOrderName,
        shopifyCustomerId: cmd.shopifyCustomerId,
        shopifyRefundId: cmd.shopifyRefundId,
        fusionCustomerAccountId: r.fusionCustomerAccountId,
        fusionCustomerAccountNumber: r.fusionCustomerAccountNumber,
        fusionTransactionNumber: r.fusionTransactionNumber,
        fusionTransactionId: r.fusionTransactionId,
        amount: r.amount,
        currency: r.currency,
      },
    };
  }
}
