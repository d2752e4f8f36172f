import { FusionFault } from './fusion-fault';
import type { ResourceDef } from './fusion-rest';
import type { FusionSandbox } from './fusion.sandbox';

/**
 * Receivables setup the pod holds, as its lists of values answer it: what `mlc doctor` checks a tenant's accounting
 * settings against. Seeded with the demo tenant's values (libs/tenants DEMO_ACCOUNTING); each sandbox instance can
 * take its own (`FusionSandboxOptions.setup`) and `POST /__admin/setup` adds values at run time.
 */
export interface FusionSetupSeed {
  businessUnits?: string[];
  transactionSources?: string[];
  transactionTypes?: string[];
  /** GL account combinations, segments joined by '-' or '.'; `enabled: false` is a disabled combination. */
  accountCombinations?: Array<{ combination: string; enabled?: boolean }>;
  /**
   * Setup LOV resources that answer 403 here, e.g. `['transactionTypesLOV']`: a pod whose integration user lacks the
   * privilege, or a release without the resource (the doctor must then warn, not fail).
   */
  refused?: string[];
}

export const DEFAULT_FUSION_SETUP: Required<FusionSetupSeed> = {
  businessUnits: ['US1 Business Unit'],
  transactionSources: ['SHOPIFY'],
  transactionTypes: ['Invoice', 'Credit Memo'],
  accountCombinations: [
    { combination: '101-10-4000-000', enabled: true },
    { combination: '101-10-4999-000', enabled: false },
  ],
  refused: [],
};

interface BusinessUnit {
  BusinessUnitId: number;
  BusinessUnitName: string;
}
interface NamedSetup {
  id: number;
  Name: string;
}
interface AccountCombination {
  _CODE_COMBINATION_ID: number;
  _CHART_OF_ACCOUNTS_ID: number;
  EnabledFlag: boolean;
  segments: string[];
}

// Attribute names: each item's key is its "Get one" page's path parameter; BusinessUnitName / Name are UNCONFIRMED
// (the stored copies of the pages stop before the response schema); the segments are named Segment1..n as in the
// account combination service's published objects (AccountValidationOutput), and EnabledFlag likewise; both
// UNCONFIRMED for the REST LOV. Queryability: fusion-schemas.ts QUERYABLE + UNCONFIRMED_QUERYABLE.
const businessUnitDef: ResourceDef<BusinessUnit> = {
  name: 'finBusinessUnitsLOV',
  attrs: { BusinessUnitId: 'number', BusinessUnitName: 'string' },
  key: (b) => String(b.BusinessUnitId),
  scalars: (b) => ({ ...b }),
};
const namedDef = (name: string, idAttr: string): ResourceDef<NamedSetup> => ({
  name,
  attrs: { [idAttr]: 'number', Name: 'string' },
  key: (r) => String(r.id),
  scalars: (r) => ({ [idAttr]: r.id, Name: r.Name }),
});
const MAX_SEGMENTS = 10;
const accountCombinationDef: ResourceDef<AccountCombination> = {
  name: 'accountCombinationsLOV',
  attrs: {
    _CODE_COMBINATION_ID: 'number',
    _CHART_OF_ACCOUNTS_ID: 'number',
    EnabledFlag: 'string',
    ...Object.fromEntries(Array.from({ length: MAX_SEGMENTS }, (_, i) => [`Segment${i + 1}`, 'string' as const])),
  },
  key: (c) => String(c._CODE_COMBINATION_ID),
  scalars: (c) => ({
    _CODE_COMBINATION_ID: c._CODE_COMBINATION_ID,
    _CHART_OF_ACCOUNTS_ID: c._CHART_OF_ACCOUNTS_ID,
    EnabledFlag: c.EnabledFlag,
    ...Object.fromEntries(c.segments.map((s, i) => [`Segment${i + 1}`, s])),
  }),
};

/** The setup values of one sandbox (a pod's receivables setup). */
export class FusionSetupStore {
  readonly businessUnits: BusinessUnit[] = [];
  readonly transactionSources: NamedSetup[] = [];
  readonly transactionTypes: NamedSetup[] = [];
  readonly accountCombinations: AccountCombination[] = [];
  refused = new Set<string>();
  private nextId = 300_000_900_001;

  add(seed: FusionSetupSeed): void {
    for (const n of seed.businessUnits ?? [])
      if (!this.businessUnits.some((b) => b.BusinessUnitName === n)) this.businessUnits.push({ BusinessUnitId: this.nextId++, BusinessUnitName: n });
    for (const n of seed.transactionSources ?? [])
      if (!this.transactionSources.some((b) => b.Name === n)) this.transactionSources.push({ id: this.nextId++, Name: n });
    for (const n of seed.transactionTypes ?? [])
      if (!this.transactionTypes.some((b) => b.Name === n)) this.transactionTypes.push({ id: this.nextId++, Name: n });
    for (const c of seed.accountCombinations ?? []) {
      const segments = c.combination.split(/[-.]/);
      if (segments.length > MAX_SEGMENTS || segments.some((s) => !s)) throw new FusionFault(400, `The account combination ${c.combination} is not valid`);
      const existing = this.accountCombinations.find((a) => a.segments.join('-') === segments.join('-'));
      if (existing) existing.EnabledFlag = c.enabled !== false;
      else this.accountCombinations.push({ _CODE_COMBINATION_ID: this.nextId++, _CHART_OF_ACCOUNTS_ID: 101, EnabledFlag: c.enabled !== false, segments });
    }
    for (const r of seed.refused ?? []) this.refused.add(r);
  }
}

/**
 * GET (collection and item) of the setup lists of values the doctor reads, each under its published path:
 * - finBusinessUnitsLOV: https://docs.oracle.com/en/cloud/saas/sales/faaps/op-finbusinessunitslov-get.html
 * - transactionSourcesLOV: https://docs.oracle.com/en/cloud/saas/financials/24c/farfa/op-transactionsourceslov-get.html
 * - transactionTypesLOV: https://docs.oracle.com/en/cloud/saas/financials/23d/farfa/op-transactiontypeslov-get.html
 * - accountCombinationsLOV: https://docs.oracle.com/en/cloud/saas/financials/24d/farfa/op-accountcombinationslov-get.html
 *   (privilege FUN_GET_ENTERPRISE_STRUCTURES_REST_SERVICE_PRIV:
 *   https://docs.oracle.com/en/cloud/saas/financials/25d/farfa/Get_Enterprise_Structures_Using_REST_API.html)
 * Payment terms have no published REST list of values (only the TransactionPaymentTermsService SOAP service), so
 * none is served here.
 */
export function registerSetupLovs(sandbox: FusionSandbox, store: FusionSetupStore): void {
  const fscm = '/fscmRestApi/resources/11.13.18.05';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const lovs: Array<[string, ResourceDef<any>, () => unknown[]]> = [
    ['finBusinessUnitsLOV', businessUnitDef, () => store.businessUnits],
    ['transactionSourcesLOV', namedDef('transactionSourcesLOV', 'TransactionSourceId'), () => store.transactionSources],
    ['transactionTypesLOV', namedDef('transactionTypesLOV', 'TransactionTypeId'), () => store.transactionTypes],
    ['accountCombinationsLOV', accountCombinationDef, () => store.accountCombinations],
  ];
  for (const [name, def, rows] of lovs) {
    const href = `${fscm}/${name}`;
    const guard = () => {
      if (store.refused.has(name)) throw new FusionFault(403, `You don't have permission to access the resource ${name}.`);
    };
    sandbox.fusionRoute('GET', href, 'read', (req, ctx) => {
      guard();
      return sandbox.collection(def, rows(), sandbox.url + href, req, ctx);
    });
    sandbox.fusionRoute('GET', `${href}/:id`, 'read', (req, ctx) => {
      guard();
      const found = rows().find((r) => def.key(r) === req.params['id']);
      if (!found) throw new FusionFault(404, `The requested resource ${name}/${req.params['id']} was not found`);
      return sandbox.item(def, found, sandbox.url + href, req, ctx);
    });
  }
}
