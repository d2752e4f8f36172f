import type { TopicRecords } from '@mlc/contracts';
import type {
  AmendmentDocument,
  BillTo,
  CancellationDocument,
  CreditMemoDocument,
  CustomerDocument,
  InvoiceDocument,
  PaidDocument,
} from '@mlc/domain-accounting';
import { currencyDecimals, fromMinor, sum, toMinor } from '@mlc/domain-accounting';
import {
  createCustomerAccount,
  createInvoiceCreditMemo,
  findBillToSites,
  findCreditMemosByTransactionNumber,
  findInvoicesWithLines,
  FusionRejectedError,
  type CreditMemoAmountSign,
  type FusionCreditMemoRow,
  type FusionAddressPatch,
  type FusionClient,
  type FusionInvoiceInput,
  type FusionInvoiceWithLines,
  type FusionOrganization,
  type FusionOrganizationPatch,
  type FusionPerson,
  type FusionPersonPatch,
} from '@mlc/partners-fusion-client';
import { AppError } from '@mlc/platform-errors';
import { Decimal } from '@mlc/platform-decimal';
import { newMeta, type OutgoingRecord, type RecordException } from '@mlc/platform-kafka';
import type { Logger } from '@mlc/platform-telemetry';
import type { KnownCustomer, ReceivablesLedger, ReceivablesResult } from './receivables.ledger';
import type { ReceivablesWaitingStore } from './receivables.waiting';
import type { WriteClaims } from '../write-claims';

type Requested = TopicRecords['accounting.fusion-receivables.requested.v1'];

/**
 * Raises an exception about part of a record while the rest goes on (the consumer's HandlerContext.exception); the
 * record's Kafka key, kept when a command set aside is sent again.
 */
export interface ExceptionSink {
  exception(e: RecordException): OutgoingRecord;
  key?: string | null;
}

export interface ReceivablesWriteOptions {
  /** FUSION_CREDIT_MEMO_AMOUNT_SIGN: how createCreditMemo amounts are written (UNCONFIRMED at Oracle). */
  creditMemoAmountSign?: CreditMemoAmountSign;
  /**
   * Where a command that needs an invoice Fusion does not hold yet waits (instead of holding its partition), and for
   * how long at most (FUSION_RECEIVABLES_MAX_WAIT_MS). Without it such a command is retried by the consumer and parked.
   */
  waiting?: { store: ReceivablesWaitingStore; maxWaitMs: number };
  /**
   * Claims across replicas (write-claims.ts): a command runs holding its order's (or customer's) claim, and a customer
   * is matched or created holding the customer's, so two replicas never create one document twice. Without it
   * (benches, single-process tests) commands rely on Kafka's one-consumer-per-partition alone.
   */
  claims?: WriteClaims;
}

/**
 * The deterministic TransactionNumber of a credit memo (at most 20 characters, Fusion's transaction number length):
 * `R` + the Shopify refund id in base 36, or `A` + the order id in base 36 + `-` + the amendment revision.
 */
export function creditMemoNumber(doc: CreditMemoDocument): string {
  return doc.reason.kind === 'refund' ? `R${base36(doc.reason.shopifyRefundId)}` : `A${base36(doc.shopifyOrderId)}-${doc.reason.revision}`;
}

/** The TransactionNumber of the credit memo that closes a cancelled order's invoice: `C` + the order id in base 36. */
export function cancellationMemoNumber(doc: CancellationDocument): string {
  return `C${base36(doc.shopifyOrderId)}`;
}

function base36(digits: string): string {
  return /^\d+$/.test(digits)
    ? BigInt(digits).toString(36).toUpperCase()
    : digits
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(-12)
        .toUpperCase();
}

/** The command is fine but something it needs is not in Fusion yet (e.g. the invoice to credit): back off and retry. */
export class ReceivablesNotReadyError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('FUSION_WRITER.NOT_READY', message, { retryable: true, retryAfterMs: 2_000, details });
  }
}

/** The invoice a command needs is not in Fusion yet: the command waits for it (set aside) when the writer can. */
export class InvoiceNotInFusionError extends ReceivablesNotReadyError {
  constructor(readonly crossReference: string) {
    super(`invoice ${crossReference} is not in Fusion yet`, { crossReference });
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

/** The claim (write-claims.ts) on one order or customer of a tenant. */
const claimName = (tenantId: string, entity: string): string => `fusion-writer:receivables:${tenantId}:${entity}`;

/** A document's decimal as the JSON number Fusion's REST body takes; refused if a number would drop a digit. */
const num = (decimal: string): number => Decimal.parse(decimal).toNumber();

/** A Fusion party: a person (hubPersons) or an organization (hubOrganizations); both carry PartyId, PartyNumber, Address. */
interface Party {
  kind: 'person' | 'organization';
  party: FusionOrganization | FusionPerson;
}

/** The party type a customer document asks for (documents from before the distinction: organization). */
const partyTypeOf = (doc: CustomerDocument): Party['kind'] => doc.partyType ?? 'organization';

/** A Fusion amount (exact decimal text from the client) as minor units, rounded to the currency's precision. */
function roundMinor(amount: unknown, currency: string): bigint {
  return (Decimal.tryParse(amount) ?? Decimal.ZERO).round(currencyDecimals(currency)).units;
}

/** What an invoice line bills, in minor units: quantity × unit price, exact, rounded once at the currency's precision. */
function lineMinor(l: FusionInvoiceWithLines['lines'][number], currency: string): bigint {
  const qty = Decimal.tryParse(l.Quantity) ?? Decimal.ZERO;
  const unit = Decimal.tryParse(l.UnitSellingPrice) ?? Decimal.ZERO;
  return qty.mul(unit).round(currencyDecimals(currency)).units;
}

/** A person's names from a customer document (PersonLastName is required by hubPersons: never empty). */
function personNames(doc: CustomerDocument): { PersonFirstName?: string; PersonLastName: string } {
  const last = doc.lastName?.trim() || doc.name;
  const first = doc.firstName?.trim();
  return { ...(first ? { PersonFirstName: first } : {}), PersonLastName: last };
}

/** Shopify's updated_at as epoch ms; null when absent or unreadable. */
function versionOf(updatedAt: string | null | undefined): number | null {
  const ms = Date.parse(updatedAt ?? '');
  return Number.isNaN(ms) ? null : ms;
}

/** The result of a document that needed nothing written in Fusion: unchanged, no customer account, no transaction. */
function nothingWritten(amount: string, currency: string): ReceivablesResult {
  return {
    outcome: 'unchanged',
    fusionCustomerAccountId: null,
    fusionCustomerAccountNumber: null,
    fusionTransactionNumber: null,
    fusionTransactionId: null,
    amount,
    currency,
  };
}

/**
 * Carries out accounting.fusion-receivables.requested.v1 in Fusion: customers (match by email / external id per the
 * tenant's rule, else party over REST + account and BILL_TO site over SOAP), invoices (looked up by CrossReference
 * before every create, completed after), credit memos against the invoice (SOAP, looked up by their deterministic TransactionNumber first, capped at the invoice balance),
 * amendments per ADR-001 and payments (completing the invoice). Every write is checked against our ledger and then
 * against Fusion first, so a replayed command never creates a second document.
 */
export class ReceivablesWriteService {
  constructor(
    private readonly fusion: (tenantId: string) => Promise<FusionClient>,
    private readonly ledger: ReceivablesLedger,
    private readonly log: Logger,
    private readonly options: ReceivablesWriteOptions = {},
  ) {}

  async handle(cmd: Requested, sink?: ExceptionSink): Promise<OutgoingRecord[]> {
    const claims = this.options.claims;
    if (!claims) return this.claimed(cmd, sink);
    const entity = cmd.shopifyOrderId
      ? `order:${cmd.shopifyOrderId}`
      : cmd.shopifyCustomerId
        ? `customer:${cmd.shopifyCustomerId}`
        : `command:${cmd.idempotencyKey}`;
    return claims.run(claimName(cmd.meta.tenantId, entity), () => this.claimed(cmd, sink));
  }

  /** A command, with its order's (or customer's) claim held when the writer has claims. */
  private async claimed(cmd: Requested, sink?: ExceptionSink): Promise<OutgoingRecord[]> {
    const tenantId = cmd.meta.tenantId;
    let doc: unknown;
    try {
      doc = JSON.parse(cmd.document);
    } catch (err) {
      throw new ReceivablesCommandError(`document of ${cmd.idempotencyKey} is not JSON`, { cause: String(err) });
    }
    const previous = await this.ledger.done(tenantId, cmd.idempotencyKey);
    if (previous) {
      // Done before: nothing waits on it any more, and what waited for its invoice is sent again (a release lost
      // in a crash between the write and the commit is made up here).
      await this.options.waiting?.store.done(tenantId, cmd.idempotencyKey);
      return [
        this.synced(cmd, { ...previous, outcome: previous.outcome === 'created' || previous.outcome === 'already_existed' ? 'already_existed' : 'unchanged' }),
        ...(await this.release(cmd, doc)),
      ];
    }
    const client = await this.fusion(tenantId);
    let result: ReceivablesResult;
    const raised: OutgoingRecord[] = [];
    const raise = (e: Omit<RecordException, 'entityType' | 'businessId'>) => {
      this.log.warn(e.message, { tenantId, idempotencyKey: cmd.idempotencyKey, code: e.code, ...e.details });
      if (sink) raised.push(sink.exception({ ...e, entityType: 'fusion-receivables', businessId: cmd.idempotencyKey }));
    };
    try {
      switch (cmd.kind) {
        case 'customer_upsert':
          result = await this.customerUpsert(client, tenantId, doc as CustomerDocument);
          break;
        case 'invoice_create':
          result = await this.invoice(client, tenantId, doc as InvoiceDocument);
          break;
        case 'invoice_amend':
          result =
            (doc as { type?: string }).type === 'cancellation'
              ? await this.cancel(client, tenantId, doc as CancellationDocument, cmd.idempotencyKey)
              : await this.amend(client, tenantId, doc as AmendmentDocument, raise);
          break;
        case 'credit_memo':
          result = await this.creditMemo(client, tenantId, doc as CreditMemoDocument, raise);
          break;
        case 'invoice_paid':
          result = await this.paid(client, tenantId, doc as PaidDocument);
          break;
        default:
          throw new ReceivablesCommandError(`unknown receivables command kind ${String(cmd.kind)}`, { kind: cmd.kind });
      }
    } catch (err) {
      if (err instanceof InvoiceNotInFusionError && this.options.waiting) return this.setAside(cmd, err.crossReference, sink);
      // A create whose answer was lost: every path looks its document up before creating, so trying again is safe.
      if (err instanceof AppError && err.code === 'FUSION.OUTCOME_UNKNOWN') {
        throw new AppError('FUSION_WRITER.OUTCOME_UNKNOWN', `${err.message} (will look it up and retry)`, {
          retryable: true,
          cause: err,
          details: err.details as Record<string, unknown>,
        });
      }
      throw err;
    }
    await this.ledger.markDone(tenantId, cmd.idempotencyKey, cmd.kind, result);
    await this.options.waiting?.store.done(tenantId, cmd.idempotencyKey);
    this.log.info('fusion receivables written', {
      tenantId,
      kind: cmd.kind,
      idempotencyKey: cmd.idempotencyKey,
      outcome: result.outcome,
      transaction: result.fusionTransactionNumber,
    });
    return [this.synced(cmd, result), ...raised, ...(await this.release(cmd, doc))];
  }

  // ---- commands waiting for their invoice ---------------------------------------------------------------------------

  /**
   * Sets a command aside until its invoice is written, so that the consumer commits it and goes on with the
   * partition (another order's records are not held up). It keeps the first time it waited and its deadline.
   */
  private async setAside(cmd: Requested, crossReference: string, sink: ExceptionSink | undefined): Promise<OutgoingRecord[]> {
    const waiting = this.options.waiting!;
    const w = await waiting.store.setAside(
      cmd,
      crossReference,
      sink?.key ?? `${cmd.meta.tenantId}:${cmd.shopifyOrderId ?? cmd.idempotencyKey}`,
      waiting.maxWaitMs,
    );
    this.log.info('receivables command waits for its invoice', {
      tenantId: cmd.meta.tenantId,
      kind: cmd.kind,
      idempotencyKey: cmd.idempotencyKey,
      invoice: crossReference,
      waitingSince: w.since.toISOString(),
      deadline: w.deadline.toISOString(),
    });
    return [];
  }

  /**
   * After an invoice is written (or found written), the commands that waited for it are sent again, oldest first,
   * with their original key (same partition, after this record) as new events caused by the originals.
   */
  private async release(cmd: Requested, doc: unknown): Promise<OutgoingRecord[]> {
    const store = this.options.waiting?.store;
    if (!store || cmd.kind !== 'invoice_create') return [];
    const crossReference = (doc as Partial<InvoiceDocument>).crossReference;
    if (!crossReference) return [];
    const released = await store.release(cmd.meta.tenantId, crossReference);
    for (const w of released) {
      this.log.info('receivables command released: its invoice is written', {
        tenantId: w.tenantId,
        kind: w.kind,
        idempotencyKey: w.idempotencyKey,
        invoice: crossReference,
        waitedMs: Date.now() - w.since.getTime(),
      });
    }
    return released.map((w): OutgoingRecord<'accounting.fusion-receivables.requested.v1'> => ({
      topic: 'accounting.fusion-receivables.requested.v1',
      key: w.sourceKey ?? `${w.tenantId}:${w.shopifyOrderId ?? w.idempotencyKey}`,
      value: { ...w.command, meta: newMeta({ tenantId: w.tenantId, source: 'fusion-writer', causedBy: w.command.meta }) },
    }));
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
      this.log.info('customer update not newer than the version in Fusion; nothing written', {
        tenantId,
        shopifyCustomerId: doc.shopifyCustomerId,
        updatedAt: doc.updatedAt,
      });
      return result('unchanged', known.accountNumber);
    }
    const changed = await this.updateCustomer(client, known, doc);
    await this.ledger.saveCustomer(tenantId, doc.shopifyCustomerId, { ...known, partyNumber: changed.partyNumber, shopifyUpdatedAt: new Date(at) });
    return result(changed.written ? 'updated' : 'unchanged', known.accountNumber);
  }

  /**
   * Writes what differs between the Fusion party of a known customer and the customer document. The party is read as
   * the resource the document names first (person or organization), then as the other one: a customer matched to an
   * existing party of the other kind keeps it.
   */
  private async updateCustomer(client: FusionClient, known: KnownCustomer, doc: CustomerDocument): Promise<{ partyNumber: string; written: boolean }> {
    let found: Party | undefined;
    if (known.partyNumber) {
      const kinds: Party['kind'][] = partyTypeOf(doc) === 'person' ? ['person', 'organization'] : ['organization', 'person'];
      for (const kind of kinds) {
        const party = kind === 'person' ? await client.getPerson(known.partyNumber) : await client.getOrganization(known.partyNumber);
        if (party) {
          found = { kind, party };
          break;
        }
      }
    }
    if (!found) {
      const matched = await this.findParty(client, doc);
      found = matched && String(matched.party.PartyId) === known.partyId ? matched : undefined;
    }
    if (!found)
      throw new ReceivablesNotReadyError(`Fusion party ${known.partyNumber ?? known.partyId} of Shopify customer ${doc.shopifyCustomerId} was not found`, {
        partyId: known.partyId,
        partyNumber: known.partyNumber ?? null,
      });
    const { kind, party } = found;
    let written = false;
    if (kind === 'person') {
      const patch: FusionPersonPatch = {};
      const names = personNames(doc);
      if (names.PersonLastName !== party['PersonLastName']) patch.PersonLastName = names.PersonLastName;
      if (names.PersonFirstName !== undefined && names.PersonFirstName !== party['PersonFirstName']) patch.PersonFirstName = names.PersonFirstName;
      if (doc.email && party.EmailAddress !== doc.email) patch.EmailAddress = doc.email;
      if (doc.phone && party['RawPhoneNumber'] !== doc.phone) patch.RawPhoneNumber = doc.phone;
      if (Object.keys(patch).length) {
        await client.updatePerson(party.PartyNumber, patch);
        written = true;
      }
    } else {
      const patch: FusionOrganizationPatch = {};
      if (doc.name && party['OrganizationName'] !== doc.name) patch.OrganizationName = doc.name;
      if (doc.email && party.EmailAddress !== doc.email) patch.EmailAddress = doc.email;
      if (doc.phone && party['RawPhoneNumber'] !== doc.phone) patch.RawPhoneNumber = doc.phone;
      if (Object.keys(patch).length) {
        await client.updateOrganization(party.PartyNumber, patch);
        written = true;
      }
    }
    if (doc.address) {
      const site = (await findBillToSites(client, { partyId: party.PartyId })).find((s) => s.AccountNumber === known.accountNumber);
      const address =
        party.Address.find((a) => site && a.PartySiteId === site.PartySiteId) ?? party.Address.find((a) => a['AddressType'] === 'BILL_TO') ?? party.Address[0];
      if (!address) throw new ReceivablesCommandError(`party ${party.PartyNumber} has no address to update`, { partyNumber: party.PartyNumber });
      const want: Record<string, string | null> = {
        Address1: doc.address.Address1,
        Address2: doc.address.Address2 ?? null,
        City: doc.address.City ?? null,
        State: doc.address.State ?? null,
        PostalCode: doc.address.PostalCode ?? null,
        Country: doc.address.Country,
      };
      const diff: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(want)) if ((address[k] ?? null) !== v) diff[k] = v;
      if (Object.keys(diff).length) {
        if (kind === 'person') await client.updatePersonAddress(party.PartyNumber, address.AddressId, diff as FusionAddressPatch);
        else await client.updateOrganizationAddress(party.PartyNumber, address.AddressId, diff as FusionAddressPatch);
        written = true;
      }
    }
    return { partyNumber: party.PartyNumber, written };
  }

  /**
   * A party matching the customer, by email and by external id in the tenant's order, each searched in both
   * resources (the document's own kind first): a customer once created as an organization, or entered by hand as a
   * person, is found either way and never created twice.
   */
  private async findParty(client: FusionClient, doc: CustomerDocument): Promise<Party | undefined> {
    const names = personNames(doc);
    // The names let the client match by name where Fusion refuses q on email / source reference (UNCONFIRMED queryability).
    const search = async (kind: Party['kind'], by: { email: string } | { sourceSystem: string; reference: string }): Promise<Party | undefined> => {
      const party =
        kind === 'person' ? (await client.findPersons(by, { lastName: names.PersonLastName }))[0] : (await client.findOrganizations(by, { name: doc.name }))[0];
      return party && { kind, party };
    };
    const kinds: Party['kind'][] = partyTypeOf(doc) === 'person' ? ['person', 'organization'] : ['organization', 'person'];
    const first = async (by: { email: string } | { sourceSystem: string; reference: string }): Promise<Party | undefined> => {
      for (const kind of kinds) {
        const hit = await search(kind, by);
        if (hit) return hit;
      }
      return undefined;
    };
    const byEmail = async () => (doc.email ? first({ email: doc.email }) : undefined);
    const byRef = async () => first({ sourceSystem: doc.sourceSystem, reference: doc.shopifyCustomerId });
    return doc.matching === 'external-id-then-email' ? ((await byRef()) ?? (await byEmail())) : ((await byEmail()) ?? (await byRef()));
  }

  /** The Fusion customer account and bill-to site of a Shopify customer: ours from the ledger, matched, or created. */
  private async resolveCustomer(client: FusionClient, tenantId: string, doc: CustomerDocument): Promise<Resolved> {
    // A customer command and an invoice of the same new customer come on different partitions: one creates it.
    const claims = this.options.claims;
    if (!claims) return this.resolveCustomerClaimed(client, tenantId, doc);
    return claims.run(claimName(tenantId, `customer:${doc.shopifyCustomerId}`), () => this.resolveCustomerClaimed(client, tenantId, doc));
  }

  private async resolveCustomerClaimed(client: FusionClient, tenantId: string, doc: CustomerDocument): Promise<Resolved> {
    const known = await this.ledger.customer(tenantId, doc.shopifyCustomerId);
    if (known) return { accountNumber: known.accountNumber, billToSite: known.billToSite ?? undefined, partyId: known.partyId, created: false };
    let created = false;
    let party = (await this.findParty(client, doc))?.party;
    if (!party) {
      party = await this.createParty(client, doc);
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
    const c: KnownCustomer = {
      partyId: String(party.PartyId),
      accountNumber: accountNumber!,
      billToSite: billToSite ?? null,
      partyNumber: party.PartyNumber,
      shopifyUpdatedAt: at === null ? null : new Date(at),
    };
    await this.ledger.saveCustomer(tenantId, doc.shopifyCustomerId, c);
    return { accountNumber: c.accountNumber, billToSite: c.billToSite ?? undefined, partyId: c.partyId, created };
  }

  /**
   * Creates the party: a person (hubPersons: PersonFirstName, PersonLastName) for an individual customer, an
   * organization (hubOrganizations: OrganizationName) for one with a company. Both carry email, phone, usage
   * CUSTOMER, the Shopify id as source system reference and the bill-to address.
   */
  private async createParty(client: FusionClient, doc: CustomerDocument): Promise<FusionOrganization | FusionPerson> {
    const common = {
      ...(doc.email ? { EmailAddress: doc.email } : {}),
      ...(doc.phone ? { RawPhoneNumber: doc.phone } : {}),
      PartyUsageCode: 'CUSTOMER',
      SourceSystem: doc.sourceSystem,
      SourceSystemReferenceValue: doc.shopifyCustomerId,
      ...(doc.address ? { Address: [doc.address] } : {}),
    };
    if (partyTypeOf(doc) === 'person') {
      const names = personNames(doc);
      return client.createPerson({
        ...(names.PersonFirstName ? { PersonFirstName: names.PersonFirstName } : {}),
        PersonLastName: names.PersonLastName,
        ...common,
      });
    }
    return client.createOrganization({ OrganizationName: doc.name, ...common });
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
    const result = (inv: { CustomerTransactionId: number | string; TransactionNumber: string }, outcome: ReceivablesResult['outcome']): ReceivablesResult => ({
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
      receivablesInvoiceDistributions: doc.lines.map((l) => ({
        InvoiceLineNumber: l.lineNumber,
        AccountClass: 'Revenue' as const,
        AccountCombination: doc.revenueAccountCombination,
        Amount: num(l.amount),
      })),
    };
    const created = await client.createInvoice(input);
    await client.completeInvoice(created.CustomerTransactionId);
    return result(created, 'created');
  }

  private async originalInvoice(client: FusionClient, crossReference: string): Promise<FusionInvoiceWithLines> {
    const inv = (await findInvoicesWithLines(client, crossReference))[0];
    if (!inv) throw new InvoiceNotInFusionError(crossReference);
    if (inv.InvoiceStatus !== 'Complete') await client.completeInvoice(inv.CustomerTransactionId);
    return inv;
  }

  /** The memo we created with this deterministic TransactionNumber, if Fusion finds it; a refused look-up only logs (our ledger is the guard). */
  /**
   * The credit memo an earlier attempt already wrote under `number`, as the already_existed part of a result: its
   * amount (`fallback` when Fusion leaves it out) and what it credits. undefined: no memo of that number yet.
   */
  private async writtenMemo(
    client: FusionClient,
    number: string,
    cur: string,
    fallback: ReceivablesResult['amount'],
  ): Promise<Pick<ReceivablesResult, 'outcome' | 'fusionTransactionNumber' | 'fusionTransactionId' | 'amount' | 'creditedAmount'> | undefined> {
    const existing = await this.memoByNumber(client, number);
    if (!existing) return undefined;
    const amount = existing.EnteredAmount === undefined ? fallback : fromMinor(toMinor(existing.EnteredAmount, cur), cur);
    return {
      outcome: 'already_existed',
      fusionTransactionNumber: existing.TransactionNumber,
      fusionTransactionId: String(existing.CustomerTransactionId),
      amount,
      creditedAmount: amount === null ? fromMinor(0n, cur) : fromMinor(-toMinor(amount, cur), cur),
    };
  }

  private async memoByNumber(client: FusionClient, number: string): Promise<FusionCreditMemoRow | undefined> {
    try {
      return (await findCreditMemosByTransactionNumber(client, number))[0];
    } catch (err) {
      if (!(err instanceof FusionRejectedError)) throw err;
      this.log.warn('credit memo look-up by TransactionNumber refused; relying on our ledger', { transactionNumber: number, error: err.message });
      return undefined;
    }
  }

  /**
   * A credit memo against the order's invoice with CreditMemoService.createCreditMemo, which credits an invoice's
   * balances at header level: the document's lines are summed into the freight amount (shipping, when the invoice
   * bills freight) and the line amount (everything else: our invoices bill tax and shipping as lines). Never more
   * than the invoice's balance (its lines less what our memos already credited): a larger credit is cut to the
   * balance and raised as an exception. The memo carries a deterministic TransactionNumber and is looked up by it
   * first; a refused look-up only logs (our ledger already holds every memo we completed).
   */
  private async creditMemo(
    client: FusionClient,
    tenantId: string,
    doc: CreditMemoDocument,
    raise: (e: Omit<RecordException, 'entityType' | 'businessId'>) => void,
  ): Promise<ReceivablesResult> {
    const cur = doc.currency;
    let invoice: FusionInvoiceWithLines;
    try {
      invoice = await this.originalInvoice(client, doc.invoiceCrossReference);
    } catch (err) {
      // The order was cancelled while its invoice was Incomplete: the invoice is deleted, there is nothing to credit.
      if (!(err instanceof InvoiceNotInFusionError) || !(await this.ledger.cancelled(tenantId, doc.invoiceCrossReference))) throw err;
      this.log.info('credit for a cancelled order whose invoice was deleted; nothing to credit', {
        tenantId,
        invoice: doc.invoiceCrossReference,
        shopifyOrderId: doc.shopifyOrderId,
      });
      return { ...nothingWritten(fromMinor(0n, cur), cur), creditedInvoice: doc.invoiceCrossReference, creditedAmount: fromMinor(0n, cur) };
    }
    const number = creditMemoNumber(doc);
    const base = {
      fusionCustomerAccountId: null,
      fusionCustomerAccountNumber: invoice.BillToCustomerNumber ?? null,
      currency: cur,
      creditedInvoice: doc.invoiceCrossReference,
    };
    // No memo written: nothing asked, or nothing left to credit (the balance is already credited).
    const nothingCredited: ReceivablesResult = {
      ...base,
      outcome: 'unchanged',
      fusionTransactionNumber: null,
      fusionTransactionId: null,
      amount: fromMinor(0n, cur),
      creditedAmount: fromMinor(0n, cur),
    };
    const memo = await this.writtenMemo(client, number, cur, doc.total);
    if (memo) return { ...base, ...memo };
    const invoiceFreight = sum(invoice.lines.map((l) => roundMinor(l['AllocatedFreightAmount'], cur)));
    const invoiceTotal = sum(invoice.lines.map((l) => lineMinor(l, cur))) + invoiceFreight;
    const balance = invoiceTotal - (await this.ledger.creditedAgainst(tenantId, doc.invoiceCrossReference, cur));
    let freight = invoiceFreight > 0n ? -sum(doc.lines.filter((l) => l.kind === 'shipping').map((l) => toMinor(l.amount, cur))) : 0n;
    let line = -toMinor(doc.total, cur) - freight;
    const asked = line + freight;
    if (asked <= 0n) return nothingCredited;
    if (asked > balance && balance <= 0n && (await this.ledger.cancelled(tenantId, doc.invoiceCrossReference))) {
      // The cancellation already credited what was open (its refund came later): nothing more to credit, as expected.
      this.log.info('refund of a cancelled order whose balance is already credited; nothing more to credit', {
        tenantId,
        invoice: doc.invoiceCrossReference,
        asked: fromMinor(asked, cur),
      });
      return nothingCredited;
    }
    if (asked > balance) {
      const details = {
        invoice: doc.invoiceCrossReference,
        invoiceNumber: invoice.TransactionNumber,
        asked: fromMinor(asked, cur),
        balance: fromMinor(balance > 0n ? balance : 0n, cur),
        currency: cur,
        shopifyOrderId: doc.shopifyOrderId,
      };
      raise({
        code: 'FUSION_WRITER.CREDIT_ABOVE_BALANCE',
        category: 'invalid-value',
        message: `Shopify credited ${details.asked} ${cur} on order ${doc.shopifyOrderName ?? doc.shopifyOrderId}, more than the ${details.balance} ${cur} left on Fusion invoice ${invoice.TransactionNumber}: the credit memo was cut to the balance`,
        details,
      });
      if (balance <= 0n) return nothingCredited;
      const cut = asked - balance;
      const fromLine = cut < line ? cut : line;
      line -= fromLine;
      freight -= cut - fromLine;
    }
    const written = await this.writeCreditMemo(client, invoice, { number, transactionDate: doc.transactionDate, comments: doc.comments }, line, freight, cur);
    return { ...base, ...written, creditedFreight: fromMinor(freight > 0n ? freight : 0n, cur) };
  }

  /**
   * Writes credit memo `memo.number` against `invoice` for `line` and `freight` (minor units, each left out when not
   * positive) and says so: outcome created, the memo's number and id, the negative amount and the amount credited.
   */
  private async writeCreditMemo(
    client: FusionClient,
    invoice: { CustomerTransactionId: number | string },
    memo: { number: string; transactionDate: string; comments: string },
    line: bigint,
    freight: bigint,
    cur: string,
  ): Promise<Pick<ReceivablesResult, 'outcome' | 'fusionTransactionNumber' | 'fusionTransactionId' | 'amount' | 'creditedAmount'>> {
    const created = await createInvoiceCreditMemo(client, {
      previousCustomerTransactionId: invoice.CustomerTransactionId,
      currencyCode: cur,
      transactionDate: memo.transactionDate,
      ...(line > 0n ? { lineAmount: fromMinor(line, cur) } : {}),
      ...(freight > 0n ? { freightAmount: fromMinor(freight, cur) } : {}),
      amountSign: this.options.creditMemoAmountSign ?? 'negative',
      transactionNumber: memo.number,
      comments: memo.comments,
    });
    return {
      outcome: 'created',
      fusionTransactionNumber: created.transactionNumber,
      fusionTransactionId: String(created.customerTransactionId),
      amount: fromMinor(-(line + freight), cur),
      creditedAmount: fromMinor(line + freight, cur),
    };
  }

  /**
   * A cancelled order (ADR-001): each of its invoices (the original, then the supplementary `-A<n>` ones of its
   * amendments) is closed: a Complete one gets a credit memo for what is still open on it (what it billed, line and
   * freight, less what our memos credited: refunds, amendment decreases), with the deterministic TransactionNumber
   * `C<order id in base 36>[-<n>]` looked up first; an Incomplete one is deleted (DELETE receivablesInvoices, recorded
   * in our ledger before the call so that a lost answer is not taken for a missing invoice). Each invoice's outcome is
   * its own ledger row (`<key>:<CrossReference>`), so a repeat, or a retry after a failure half-way, writes nothing twice.
   */
  private async cancel(client: FusionClient, tenantId: string, doc: CancellationDocument, idempotencyKey: string): Promise<ReceivablesResult> {
    const cur = doc.currency;
    const refs = [doc.invoiceCrossReference, ...(doc.supplementaryInvoices ?? [])];
    const parts: ReceivablesResult[] = [];
    for (const [i, ref] of refs.entries()) {
      const key = `${idempotencyKey}:${ref}`;
      const done = await this.ledger.done(tenantId, key);
      if (done && !done.voided) {
        parts.push(done);
        continue;
      }
      const number = i === 0 ? cancellationMemoNumber(doc) : `${cancellationMemoNumber(doc)}-${ref.slice(ref.lastIndexOf('-A') + 2)}`;
      const r = await this.closeInvoice(client, tenantId, doc, ref, number, key, i === 0);
      if (!r) continue;
      if (!r.voided) await this.ledger.markDone(tenantId, key, 'invoice_cancel', r);
      parts.push(r);
    }
    const outcome = parts.some((p) => p.outcome === 'created')
      ? 'created'
      : parts.some((p) => p.outcome === 'updated')
        ? 'updated'
        : parts.some((p) => p.outcome === 'already_existed')
          ? 'already_existed'
          : 'unchanged';
    const numbers = parts.map((p) => p.fusionTransactionNumber).filter(Boolean);
    // The credits are in the rows of each invoice (creditedInvoice); this row only says the order is cancelled.
    return {
      outcome,
      fusionCustomerAccountId: null,
      fusionCustomerAccountNumber: parts[0]?.fusionCustomerAccountNumber ?? null,
      fusionTransactionNumber: numbers.join(',') || null,
      fusionTransactionId:
        parts
          .map((p) => p.fusionTransactionId)
          .filter(Boolean)
          .join(',') || null,
      amount: fromMinor(sum(parts.map((p) => (p.amount ? toMinor(p.amount, cur) : 0n))), cur),
      currency: cur,
      cancelledInvoice: doc.invoiceCrossReference,
    };
  }

  /** Credits what is open on one invoice of a cancelled order, or deletes it while Incomplete; undefined: no such (supplementary) invoice. */
  private async closeInvoice(
    client: FusionClient,
    tenantId: string,
    doc: CancellationDocument,
    ref: string,
    number: string,
    key: string,
    required: boolean,
  ): Promise<ReceivablesResult | undefined> {
    const cur = doc.currency;
    const invoice = (await findInvoicesWithLines(client, ref))[0];
    if (!invoice) {
      const voided = await this.ledger.done(tenantId, key);
      if (voided) return voided;
      if (required) throw new InvoiceNotInFusionError(ref);
      return undefined;
    }
    const invoiceFreight = sum(invoice.lines.map((l) => roundMinor(l['AllocatedFreightAmount'], cur)));
    const invoiceLines = sum(invoice.lines.map((l) => lineMinor(l, cur)));
    const base = { fusionCustomerAccountId: null, fusionCustomerAccountNumber: invoice.BillToCustomerNumber ?? null, currency: cur, cancelledInvoice: ref };
    if (invoice.InvoiceStatus !== 'Complete') {
      const result: ReceivablesResult = {
        ...base,
        outcome: 'updated',
        fusionTransactionNumber: invoice.TransactionNumber,
        fusionTransactionId: String(invoice.CustomerTransactionId),
        amount: fromMinor(-(invoiceLines + invoiceFreight), cur),
        voided: true,
      };
      await this.ledger.markDone(tenantId, key, 'invoice_void', result);
      await client.deleteInvoice(invoice.CustomerTransactionId);
      this.log.info('invoice of a cancelled order deleted (it was Incomplete)', { tenantId, invoice: ref, transactionNumber: invoice.TransactionNumber });
      return result;
    }
    const memo = await this.writtenMemo(client, number, cur, null);
    if (memo) return { ...base, ...memo, creditedInvoice: ref };
    const credited = await this.ledger.credited(tenantId, ref, cur);
    const freight = invoiceFreight - credited.freight > 0n ? invoiceFreight - credited.freight : 0n;
    const line = invoiceLines - (credited.total - credited.freight) > 0n ? invoiceLines - (credited.total - credited.freight) : 0n;
    if (line + freight <= 0n) {
      this.log.info('invoice of a cancelled order has nothing open; no credit memo', { tenantId, invoice: ref });
      return {
        ...base,
        outcome: 'unchanged',
        fusionTransactionNumber: null,
        fusionTransactionId: null,
        amount: fromMinor(0n, cur),
        creditedInvoice: ref,
        creditedAmount: fromMinor(0n, cur),
      };
    }
    const comments = ref === doc.invoiceCrossReference ? doc.comments : `${doc.comments} (invoice ${ref})`;
    const written = await this.writeCreditMemo(client, invoice, { number, transactionDate: doc.transactionDate, comments }, line, freight, cur);
    return { ...base, ...written, creditedInvoice: ref, creditedFreight: fromMinor(freight, cur) };
  }

  private async amend(
    client: FusionClient,
    tenantId: string,
    doc: AmendmentDocument,
    raise: (e: Omit<RecordException, 'entityType' | 'businessId'>) => void,
  ): Promise<ReceivablesResult> {
    let debit: ReceivablesResult | undefined;
    let credit: ReceivablesResult | undefined;
    if (doc.debit) debit = await this.invoice(client, tenantId, doc.debit);
    if (doc.credit) credit = await this.creditMemo(client, tenantId, doc.credit, raise);
    const main = debit ?? credit!;
    const outcome = [debit, credit].some((r) => r?.outcome === 'created') ? 'created' : 'already_existed';
    return {
      ...main,
      outcome,
      fusionTransactionNumber: [debit?.fusionTransactionNumber, credit?.fusionTransactionNumber].filter(Boolean).join(',') || null,
      amount: [doc.debit?.total, credit?.amount].filter(Boolean).join(',') || null,
      ...(credit ? { creditedInvoice: credit.creditedInvoice, creditedAmount: credit.creditedAmount } : {}),
    };
  }

  /**
   * orders/paid: Fusion's invoice PATCH only takes InvoiceStatus, PaymentTerms and TransactionDate, and the reference
   * gives no receipt API, so the payment is recorded by making sure the invoice is Complete (ADR-001); applying cash is
   * left to Fusion's own receipt processing.
   */
  private async paid(client: FusionClient, tenantId: string, doc: PaidDocument): Promise<ReceivablesResult> {
    const inv = (await findInvoicesWithLines(client, doc.invoiceCrossReference))[0];
    if (!inv && (await this.ledger.cancelled(tenantId, doc.invoiceCrossReference))) {
      // The order was cancelled while its invoice was Incomplete, and the invoice deleted: nothing to complete.
      return nothingWritten(doc.total, doc.currency);
    }
    if (!inv) throw new InvoiceNotInFusionError(doc.invoiceCrossReference);
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
