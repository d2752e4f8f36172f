import { FusionFault } from './fusion-fault';
import {
  ADDRESS_PATCH,
  checkBody,
  CREDIT_MEMO_POST,
  INVOICE_PATCH,
  INVOICE_POST,
  ORGANIZATION_PATCH,
  ORGANIZATION_POST,
  PERSON_PATCH,
  PERSON_POST,
} from './fusion-schemas';
import type { ResourceDef } from './fusion-rest';
import type { FusionSandbox } from './fusion.sandbox';
import { fusionDate, type FusionProcurementStore } from './fusion.store';

export interface CustomerAccount {
  CustomerAccountId: number;
  AccountNumber: string;
  PartyId: number;
  AccountName: string;
  billToSites: { SiteUseId: number; PartySiteId: number; SiteName: string }[];
}

export interface Party {
  /** hubOrganizations or hubPersons. */
  kind: 'organization' | 'person';
  PartyId: number;
  PartyNumber: string;
  fields: Record<string, unknown>;
  Address: { AddressId: number; PartySiteId: number; [k: string]: unknown }[];
  SourceSystemReference: Record<string, unknown>[];
  CreationDate: string;
  LastUpdateDate: string;
}

export interface ArTransaction {
  CustomerTransactionId: number;
  TransactionNumber: string;
  fields: Record<string, unknown>;
  lines: Record<string, unknown>[];
  distributions: Record<string, unknown>[];
  CreationDate: string;
  LastUpdateDate: string;
}

const INVOICE_PATCHABLE = new Set(INVOICE_PATCH.attrs);

function required(obj: Record<string, unknown>, names: string[], where: string): void {
  for (const n of names) {
    if (obj[n] === undefined || obj[n] === null || obj[n] === '') throw new FusionFault(400, `The attribute ${n} of ${where} is required.`);
  }
}

function rows(value: unknown, where: string): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => !v || typeof v !== 'object')) throw new FusionFault(400, `${where} must be an array of objects`);
  return value as Record<string, unknown>[];
}

const isDate = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));

/** Receivables and TCA data of the simulated pod; one demo customer account exists so invoices can post. */
export class FusionReceivablesStore {
  readonly accounts: CustomerAccount[] = [];
  readonly parties: Party[] = [];
  readonly invoices: ArTransaction[] = [];
  readonly creditMemos: ArTransaction[] = [];
  private nextTrx = 1001;
  private nextParty = 100001;
  private nextAccount = 2001;

  constructor(readonly ids: FusionProcurementStore) {
    const party = this.createParty({ OrganizationName: 'Vision Retail' }, 'ORA_ZCH_WS');
    this.createAccount(party.PartyId, 'Vision Retail', party.Address[0]?.PartySiteId);
  }

  /** Source systems registered in the pod; a party's SourceSystem (top level or SourceSystemReference) must be one. */
  sourceSystems: readonly string[] = ['SHOPIFY'];

  createParty(body: Record<string, unknown>, module = 'ORA_ZCH_WS', kind: Party['kind'] = 'organization'): Party {
    const stamp = this.ids.stamp();
    this.checkSourceSystems(body);
    const addresses = rows(body['Address'], 'Address').map((a) => {
      if (a['Country'] !== undefined && !/^[A-Z]{2}$/.test(String(a['Country'])))
        throw new FusionFault(400, `The value ${String(a['Country'])} of Country is not a valid ISO country code.`);
      return { AddressId: this.ids.id(), PartySiteId: this.ids.id(), ...a };
    });
    const { Address: _a, SourceSystemReference: refs, ...fields } = body;
    const party: Party = {
      kind,
      PartyId: this.ids.id(),
      PartyNumber: String(body['PartyNumber'] ?? this.nextParty++),
      fields: { ...fields, Status: 'A', CreatedByModule: module, CreatedBy: 'MLC_INTEGRATION' },
      Address: addresses.length ? addresses : [{ AddressId: this.ids.id(), PartySiteId: this.ids.id(), AddressType: 'BILL_TO' }],
      SourceSystemReference: [
        ...(typeof body['SourceSystem'] === 'string'
          ? [{ SourceSystem: body['SourceSystem'], SourceSystemReferenceValue: body['SourceSystemReferenceValue'] }]
          : []),
        ...rows(refs, 'SourceSystemReference'),
      ],
      CreationDate: stamp,
      LastUpdateDate: stamp,
    };
    this.parties.push(party);
    return party;
  }

  /**
   * PATCH hubOrganizations/{PartyNumber}: top-level party attributes (name, email, phone, ...); PartyNumber and the
   * source system reference cannot be changed. Children are changed through their own item paths.
   */
  patchParty(partyNumber: string, body: Record<string, unknown>, kind: Party['kind'] = 'organization'): Party {
    const resource = kind === 'person' ? 'hubPersons' : 'hubOrganizations';
    const party = this.parties.find((p) => p.PartyNumber === partyNumber && p.kind === kind);
    if (!party) throw new FusionFault(404, `The requested resource ${resource}/${partyNumber} was not found`);
    checkBody(body, kind === 'person' ? PERSON_PATCH : ORGANIZATION_PATCH);
    for (const k of ['PartyNumber', 'SourceSystem', 'SourceSystemReferenceValue', 'Address', 'SourceSystemReference']) {
      if (body[k] !== undefined) throw new FusionFault(400, `The attribute ${k} can't be updated.`);
    }
    if (kind === 'organization' && (body['OrganizationName'] === '' || body['OrganizationName'] === null))
      throw new FusionFault(400, 'The attribute OrganizationName of the organization is required.');
    Object.assign(party.fields, body);
    party.LastUpdateDate = this.ids.stamp();
    return party;
  }

  /** PATCH hubOrganizations/{PartyNumber}/child/Address/{AddressId}: the party site keeps its id (account sites follow). */
  patchAddress(partyNumber: string, addressId: string, body: Record<string, unknown>, kind: Party['kind'] = 'organization'): Record<string, unknown> {
    const party = this.parties.find((p) => p.PartyNumber === partyNumber && p.kind === kind);
    if (!party) throw new FusionFault(404, `The requested resource ${kind === 'person' ? 'hubPersons' : 'hubOrganizations'}/${partyNumber} was not found`);
    const address = party.Address.find((a) => String(a.AddressId) === addressId);
    if (!address) throw new FusionFault(404, `The requested resource hubOrganizations/${partyNumber}/child/Address/${addressId} was not found`);
    checkBody(body, ADDRESS_PATCH);
    if (body['Country'] !== undefined && !/^[A-Z]{2}$/.test(String(body['Country'])))
      throw new FusionFault(400, `The value ${String(body['Country'])} of Country is not a valid ISO country code.`);
    Object.assign(address, body);
    party.LastUpdateDate = this.ids.stamp();
    return address;
  }

  /** An organization with a customer account (and its BILL_TO site), e.g. a tenant's guest account; admin API and demo data. */
  seedCustomerAccount(input: { accountNumber?: string; name: string; email?: string; address?: Record<string, unknown> }): CustomerAccount {
    if (input.accountNumber !== undefined && this.accounts.some((a) => a.AccountNumber === input.accountNumber)) {
      throw new FusionFault(400, `The customer account ${input.accountNumber} already exists.`);
    }
    const party = this.createParty({
      OrganizationName: input.name,
      ...(input.email ? { EmailAddress: input.email } : {}),
      ...(input.address ? { Address: [{ AddressType: 'BILL_TO', ...input.address }] } : {}),
    });
    return this.createAccount(party.PartyId, input.name, party.Address[0]?.PartySiteId, input.accountNumber);
  }

  createAccount(partyId: number, name: string, partySiteId: number | undefined, accountNumber?: string): CustomerAccount {
    const party = this.parties.find((p) => p.PartyId === partyId);
    if (!party) throw new FusionFault(400, `The party ${partyId} doesn't exist.`);
    const site = partySiteId === undefined ? undefined : party.Address.find((a) => a.PartySiteId === partySiteId);
    if (partySiteId !== undefined && !site) throw new FusionFault(400, `The party site ${partySiteId} doesn't belong to party ${partyId}.`);
    const account: CustomerAccount = {
      CustomerAccountId: this.ids.id(),
      AccountNumber: accountNumber ?? String(this.nextAccount++),
      PartyId: partyId,
      AccountName: name,
      billToSites: site ? [{ SiteUseId: this.ids.id(), PartySiteId: site.PartySiteId, SiteName: `${name} (BILL_TO)` }] : [],
    };
    this.accounts.push(account);
    return account;
  }

  private billTo(number: unknown, site: unknown): { account: CustomerAccount; site: string } {
    const account = this.accounts.find((a) => a.AccountNumber === String(number));
    if (!account) throw new FusionFault(400, `The value ${String(number)} of BillToCustomerNumber is not a valid customer account.`);
    const sites = account.billToSites;
    const chosen = site === undefined ? (sites.length === 1 ? sites[0] : undefined) : sites.find((s) => s.SiteName === site);
    if (!chosen) throw new FusionFault(400, `A valid bill-to site is required for customer account ${account.AccountNumber}.`);
    return { account, site: chosen.SiteName };
  }

  /**
   * SourceSystem (top level, with SourceSystemReferenceValue) and every SourceSystemReference row must name a source
   * system registered in the pod, and come with a reference value (party source-system rules, reference §8).
   */
  private checkSourceSystems(body: Record<string, unknown>): void {
    const refs = [
      ...(body['SourceSystem'] !== undefined || body['SourceSystemReferenceValue'] !== undefined
        ? [{ SourceSystem: body['SourceSystem'], SourceSystemReferenceValue: body['SourceSystemReferenceValue'] }]
        : []),
      ...rows(body['SourceSystemReference'], 'SourceSystemReference'),
    ];
    for (const r of refs) {
      const system = r['SourceSystem'];
      if (typeof system !== 'string' || !system) throw new FusionFault(400, 'A source system reference needs a SourceSystem.');
      if (!this.sourceSystems.includes(system)) {
        throw new FusionFault(400, `The source system ${system} isn't registered. Register it in the Manage Trading Community Source Systems task first.`, {
          errorCode: 'HZ_SS_INVALID_SOURCE_SYSTEM',
        });
      }
      if (r['SourceSystemReferenceValue'] === undefined || r['SourceSystemReferenceValue'] === null || r['SourceSystemReferenceValue'] === '') {
        throw new FusionFault(400, `The source system reference of ${system} needs a SourceSystemReferenceValue.`);
      }
      const taken = this.parties.find((p) =>
        p.SourceSystemReference.some((x) => x['SourceSystem'] === system && x['SourceSystemReferenceValue'] === r['SourceSystemReferenceValue']),
      );
      if (taken)
        throw new FusionFault(
          400,
          `The source system reference ${system} ${String(r['SourceSystemReferenceValue'])} already belongs to party ${taken.PartyNumber}.`,
        );
    }
  }

  createInvoice(body: Record<string, unknown>): ArTransaction {
    checkBody(body, INVOICE_POST);
    required(body, ['BusinessUnit', 'TransactionSource', 'TransactionType', 'TransactionDate', 'BillToCustomerNumber'], 'the invoice');
    if (!isDate(body['TransactionDate']))
      throw new FusionFault(400, `The value ${String(body['TransactionDate'])} of TransactionDate is not a valid date (yyyy-MM-dd).`);
    const { site } = this.billTo(body['BillToCustomerNumber'], body['BillToSite']);
    const lines = rows(body['receivablesInvoiceLines'], 'receivablesInvoiceLines');
    if (!lines.length) throw new FusionFault(400, 'An invoice needs at least one line.');
    lines.forEach((l, i) => {
      required(l, ['Description', 'Quantity', 'UnitSellingPrice'], `invoice line ${i + 1}`);
    });
    const dists = rows(body['receivablesInvoiceDistributions'], 'receivablesInvoiceDistributions');
    for (const d of dists) {
      if (!['Revenue', 'Receivable', 'Freight', 'Tax'].includes(String(d['AccountClass'])))
        throw new FusionFault(400, `The value ${String(d['AccountClass'])} of AccountClass is not valid.`);
    }
    if (
      body['TransactionNumber'] !== undefined &&
      this.invoices.some((i) => i.TransactionNumber === String(body['TransactionNumber']) && i.fields['TransactionSource'] === body['TransactionSource'])
    ) {
      throw new FusionFault(400, `The transaction number ${String(body['TransactionNumber'])} already exists for source ${String(body['TransactionSource'])}.`);
    }
    const { receivablesInvoiceLines: _l, receivablesInvoiceDistributions: _d, ...header } = body;
    const stamp = this.ids.stamp();
    const inv: ArTransaction = {
      CustomerTransactionId: this.ids.id(),
      TransactionNumber: String(body['TransactionNumber'] ?? this.nextTrx++),
      fields: { ...header, BillToSite: site, InvoiceStatus: 'Incomplete', AccountingDate: body['AccountingDate'] ?? body['TransactionDate'] },
      lines: lines.map((l, i) => ({
        CustomerTransactionLineId: this.ids.id(),
        LineNumber: l['LineNumber'] ?? i + 1,
        ...l,
        LineAmount: Number(l['Quantity']) * Number(l['UnitSellingPrice']),
      })),
      distributions: dists.map((d) => ({ DistributionId: this.ids.id(), ...d })),
      CreationDate: stamp,
      LastUpdateDate: stamp,
    };
    this.invoices.push(inv);
    return inv;
  }

  patchInvoice(id: string, body: Record<string, unknown>): ArTransaction {
    const inv = this.invoices.find((i) => String(i.CustomerTransactionId) === id);
    if (!inv) throw new FusionFault(404, `The requested resource receivablesInvoices/${id} was not found`);
    for (const k of Object.keys(body)) {
      if (!INVOICE_POST.attrs.includes(k) && !INVOICE_PATCHABLE.has(k))
        throw new FusionFault(400, `The attribute ${k} is not defined in resource receivablesInvoices.`);
      if (!INVOICE_PATCHABLE.has(k))
        throw new FusionFault(400, `The attribute ${k} can't be updated. Only InvoiceStatus, PaymentTerms and TransactionDate can be updated.`);
    }
    if (body['InvoiceStatus'] !== undefined && !['Complete', 'Incomplete'].includes(String(body['InvoiceStatus'])))
      throw new FusionFault(400, `The value ${String(body['InvoiceStatus'])} of InvoiceStatus is not valid.`);
    if (body['TransactionDate'] !== undefined && !isDate(body['TransactionDate'])) throw new FusionFault(400, 'TransactionDate must be yyyy-MM-dd.');
    Object.assign(inv.fields, body);
    inv.LastUpdateDate = this.ids.stamp();
    return inv;
  }

  /**
   * DELETE receivablesInvoices/{id}, 204 without a body:
   * https://docs.oracle.com/en/cloud/saas/financials/24d/farfa/op-receivablesinvoices-customertransactionid-delete.html
   * Only an Incomplete invoice unless strict.deleteCompleteInvoices (UNCONFIRMED); never one a credit memo
   * was applied to.
   */
  deleteInvoice(id: string, allowComplete: boolean, credited: (id: string) => boolean): ArTransaction {
    const at = this.invoices.findIndex((i) => String(i.CustomerTransactionId) === id);
    if (at < 0) throw new FusionFault(404, `The requested resource receivablesInvoices/${id} was not found`);
    const inv = this.invoices[at]!;
    if (inv.fields['InvoiceStatus'] === 'Complete' && !allowComplete)
      throw new FusionFault(400, `The transaction ${inv.TransactionNumber} is complete and can't be deleted. Credit it instead.`);
    if (credited(id)) throw new FusionFault(400, `The transaction ${inv.TransactionNumber} has credit memos applied and can't be deleted.`);
    this.invoices.splice(at, 1);
    return inv;
  }

  /** On-account only: REST can't reference an invoice (such attributes are unknown, hence 400); prices are negative. */
  createCreditMemo(body: Record<string, unknown>): ArTransaction {
    checkBody(body, CREDIT_MEMO_POST);
    required(body, ['BusinessUnit', 'TransactionSource', 'TransactionType', 'TransactionDate', 'BillToCustomerNumber'], 'the credit memo');
    if (!isDate(body['TransactionDate'])) throw new FusionFault(400, 'TransactionDate must be yyyy-MM-dd.');
    const { site } = this.billTo(body['BillToCustomerNumber'], undefined);
    const lines = rows(body['receivablesCreditMemoLines'], 'receivablesCreditMemoLines');
    if (!lines.length) throw new FusionFault(400, 'A credit memo needs at least one line.');
    lines.forEach((l, i) => {
      required(l, ['LineDescription', 'LineQuantityCredit', 'UnitSellingPrice'], `credit memo line ${i + 1}`);
      if (!(Number(l['UnitSellingPrice']) < 0)) throw new FusionFault(400, `credit memo line ${i + 1}: UnitSellingPrice must be negative.`);
    });
    const dists = rows(body['receivablesCreditMemoDistributions'], 'receivablesCreditMemoDistributions');
    const { receivablesCreditMemoLines: _l, receivablesCreditMemoDistributions: _d, ...header } = body;
    const stamp = this.ids.stamp();
    const enteredAmount = lines.reduce((s, l) => s + Number(l['LineQuantityCredit']) * Number(l['UnitSellingPrice']), 0);
    const cm: ArTransaction = {
      CustomerTransactionId: this.ids.id(),
      TransactionNumber: String(this.nextTrx++),
      fields: {
        ...header,
        BillToSite: site,
        EnteredAmount: Math.round(enteredAmount * 100) / 100,
        AccountingDate: body['TransactionDate'],
        CreatedBy: 'MLC_INTEGRATION',
      },
      lines: lines.map((l, i) => ({ CustomerTransactionLineId: this.ids.id(), LineNumber: l['LineNumber'] ?? i + 1, ...l })),
      distributions: dists.map((d) => ({ DistributionId: this.ids.id(), ...d })),
      CreationDate: stamp,
      LastUpdateDate: stamp,
    };
    this.creditMemos.push(cm);
    return cm;
  }
}

const plain = (name: string, key: string): ResourceDef<Record<string, unknown>> => ({
  name,
  attrs: { [key]: 'number' },
  key: (r) => String(r[key]),
  scalars: (r) => ({ ...r }),
});

function trxDef(name: string, linesName: string, distName: string, extraAttrs: ResourceDef<ArTransaction>['attrs']): ResourceDef<ArTransaction> {
  return {
    name,
    attrs: {
      CustomerTransactionId: 'number',
      TransactionNumber: 'string',
      TransactionSource: 'string',
      TransactionType: 'string',
      TransactionDate: 'date',
      BillToCustomerNumber: 'string',
      CreationDate: 'datetime',
      LastUpdateDate: 'datetime',
      ...extraAttrs,
    },
    key: (t) => String(t.CustomerTransactionId),
    scalars: (t) => ({
      CustomerTransactionId: t.CustomerTransactionId,
      TransactionNumber: t.TransactionNumber,
      ...t.fields,
      CreationDate: t.CreationDate,
      LastUpdateDate: t.LastUpdateDate,
    }),
    children: {
      [linesName]: { def: plain(linesName, 'CustomerTransactionLineId'), list: (t) => t.lines },
      [distName]: { def: plain(distName, 'DistributionId'), list: (t) => t.distributions },
    },
  };
}

export const invoiceDef = trxDef('receivablesInvoices', 'receivablesInvoiceLines', 'receivablesInvoiceDistributions', {
  CrossReference: 'string',
  InvoiceStatus: 'string',
  PurchaseOrder: 'string',
});
export const creditMemoDef = trxDef('receivablesCreditMemos', 'receivablesCreditMemoLines', 'receivablesCreditMemoDistributions', {
  CreditMemoComments: 'string',
});

const addressDef = plain('Address', 'AddressId');
const sourceRefDef: ResourceDef<Record<string, unknown>> = {
  ...plain('SourceSystemReference', 'SourceSystemReferenceValue'),
  key: (r) => String(r['SourceSystemReferenceValue']),
};

export const organizationDef: ResourceDef<Party> = {
  name: 'hubOrganizations',
  attrs: {
    PartyId: 'number',
    PartyNumber: 'string',
    OrganizationName: 'string',
    EmailAddress: 'string',
    SourceSystem: 'string',
    SourceSystemReferenceValue: 'string',
    LastUpdateDate: 'datetime',
  },
  key: (p) => p.PartyNumber,
  scalars: (p) => ({
    PartyId: p.PartyId,
    PartyNumber: p.PartyNumber,
    SourceSystem: null,
    SourceSystemReferenceValue: null,
    ...p.fields,
    CreationDate: p.CreationDate,
    LastUpdateDate: p.LastUpdateDate,
  }),
  children: {
    Address: { def: addressDef, list: (p) => p.Address },
    SourceSystemReference: { def: sourceRefDef, list: (p) => p.SourceSystemReference },
  },
};

/** hubPersons: a person party (an individual customer); same store and children as organizations. */
export const personDef: ResourceDef<Party> = {
  ...organizationDef,
  name: 'hubPersons',
  attrs: {
    PartyId: 'number',
    PartyNumber: 'string',
    PersonFirstName: 'string',
    PersonLastName: 'string',
    EmailAddress: 'string',
    SourceSystem: 'string',
    SourceSystemReferenceValue: 'string',
    LastUpdateDate: 'datetime',
  },
};

/** receivablesInvoices, receivablesCreditMemos and hubOrganizations routes. */
export function registerReceivables(sandbox: FusionSandbox): void {
  const store = sandbox.receivables;
  const fscm = '/fscmRestApi/resources/11.13.18.05';
  const crm = '/crmRestApi/resources/11.13.18.05';
  const nested = (req: Parameters<Parameters<FusionSandbox['fusionRoute']>[3]>[0]) => ({ ...req, query: new URLSearchParams({ expand: 'all' }) });

  // POST (create; logged as written with its ids, the fields it was created with and its lines) and GET (list) of a
  // transaction collection: receivablesInvoices and receivablesCreditMemos alike.
  const transactions = (
    path: string,
    def: ResourceDef<ArTransaction>,
    list: () => ArTransaction[],
    create: (body: Record<string, unknown>) => ArTransaction,
    written: Record<string, unknown>[],
  ) => {
    sandbox.fusionRoute('POST', path, 'item', (req, ctx) => {
      const created = create(sandbox.body(req));
      written.push({
        CustomerTransactionId: created.CustomerTransactionId,
        TransactionNumber: created.TransactionNumber,
        ...created.fields,
        lines: created.lines,
      });
      return sandbox.item(def, created, sandbox.url + path, nested(req), ctx, 201);
    });
    sandbox.fusionRoute('GET', path, 'read', (req, ctx) => sandbox.collection(def, list(), sandbox.url + path, req, ctx));
  };

  const inv = `${fscm}/receivablesInvoices`;
  transactions(
    inv,
    invoiceDef,
    () => store.invoices,
    (body) => store.createInvoice(body),
    sandbox.written.invoices,
  );
  sandbox.fusionRoute('GET', `${inv}/:id`, 'read', (req, ctx) => {
    const found = store.invoices.find((i) => String(i.CustomerTransactionId) === req.params['id']);
    if (!found) throw new FusionFault(404, `The requested resource receivablesInvoices/${req.params['id']} was not found`);
    return sandbox.item(invoiceDef, found, sandbox.url + inv, req, ctx);
  });
  sandbox.fusionRoute('PATCH', `${inv}/:id`, 'item', (req, ctx) => {
    const body = sandbox.body(req);
    const updated = store.patchInvoice(req.params['id']!, body);
    sandbox.written.invoiceUpdates.push({ CustomerTransactionId: updated.CustomerTransactionId, ...body });
    const res = sandbox.item(invoiceDef, updated, sandbox.url + inv, req, ctx);
    return sandbox.options.strict.wrapInvoicePatchResponse ? { ...res, body: { items: [res.body] } } : res;
  });

  // No request body (Oracle's example sends none), so no media type to check: routed as a read.
  sandbox.fusionRoute('DELETE', `${inv}/:id`, 'read', (req) => {
    const gone = store.deleteInvoice(req.params['id']!, sandbox.options.strict.deleteCompleteInvoices ?? false, (id) =>
      sandbox.written.invoiceCredits.some((c) => String(c['PreviousCustomerTransactionId']) === id),
    );
    sandbox.written.invoiceDeletes.push({ CustomerTransactionId: gone.CustomerTransactionId, TransactionNumber: gone.TransactionNumber, ...gone.fields });
    return { status: 204, headers: {}, body: undefined };
  });

  transactions(
    `${fscm}/receivablesCreditMemos`,
    creditMemoDef,
    () => store.creditMemos,
    (body) => store.createCreditMemo(body),
    sandbox.written.creditMemos,
  );

  // hubOrganizations and hubPersons: the same party store, told apart by kind.
  for (const kind of ['organization', 'person'] as const) {
    const resource = kind === 'person' ? 'hubPersons' : 'hubOrganizations';
    const def = kind === 'person' ? personDef : organizationDef;
    const base = `${crm}/${resource}`;
    const find = (number: string) => {
      const party = store.parties.find((p) => p.PartyNumber === number && p.kind === kind);
      if (!party) throw new FusionFault(404, `The requested resource ${resource}/${number} was not found`);
      return party;
    };
    sandbox.fusionRoute('POST', base, 'item', (req, ctx) => {
      const body = sandbox.body(req, kind === 'person' ? PERSON_POST : ORGANIZATION_POST);
      required(body, kind === 'person' ? ['PersonLastName'] : ['OrganizationName'], `the ${kind}`);
      if (body['PartyNumber'] !== undefined) throw new FusionFault(400, 'PartyNumber is generated (profile HZ_GENERATE_PARTY_NUMBER = Yes).');
      const party = store.createParty(body, 'ORA_ZCH_WS', kind);
      sandbox.written.customers.push({ kind, PartyId: party.PartyId, PartyNumber: party.PartyNumber, ...body });
      return sandbox.item(def, party, sandbox.url + base, nested(req), ctx, 201);
    });
    sandbox.fusionRoute('GET', base, 'read', (req, ctx) =>
      sandbox.collection(
        def,
        store.parties.filter((p) => p.kind === kind),
        sandbox.url + base,
        req,
        ctx,
      ),
    );
    sandbox.fusionRoute('GET', `${base}/:number`, 'read', (req, ctx) => sandbox.item(def, find(req.params['number']!), sandbox.url + base, req, ctx));
    sandbox.fusionRoute('PATCH', `${base}/:number`, 'item', (req, ctx) => {
      const body = sandbox.body(req);
      const party = store.patchParty(req.params['number']!, body, kind);
      sandbox.written.customerUpdates.push({ kind, PartyId: party.PartyId, PartyNumber: party.PartyNumber, ...body });
      return sandbox.item(def, party, sandbox.url + base, req, ctx);
    });
    sandbox.fusionRoute('PATCH', `${base}/:number/child/Address/:address`, 'item', (req, ctx) => {
      const body = sandbox.body(req);
      const address = store.patchAddress(req.params['number']!, req.params['address']!, body, kind);
      sandbox.written.customerUpdates.push({ kind, PartyNumber: req.params['number'], AddressId: address['AddressId'], Address: body });
      return sandbox.item(addressDef, address, `${sandbox.url}${base}/${req.params['number']}/child/Address`, req, ctx);
    });
  }

  sandbox.route('GET', '/__admin/customer-accounts', () => ({ status: 200, body: { items: store.accounts, today: fusionDate(sandbox.now()) } }));
  // Creates an organization with a customer account and BILL_TO site: { accountNumber?, name, email?, address? }.
  sandbox.route('POST', '/__admin/customer-accounts', (req) => {
    const input = req.json<{ accountNumber?: string; name?: string; email?: string; address?: Record<string, unknown> }>();
    if (!input.name) return { status: 400, body: { error: 'name is required' } };
    try {
      return { status: 201, body: store.seedCustomerAccount({ ...input, name: input.name }) };
    } catch (err) {
      if (err instanceof FusionFault) return { status: err.status, body: { error: err.detail } };
      throw err;
    }
  });
}
