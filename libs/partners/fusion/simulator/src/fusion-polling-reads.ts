import { FusionFault } from './fusion-fault';
import type { ResourceDef } from './fusion-rest';
import { shipToLocationDef } from './fusion.resources';
import type { FusionSandbox } from './fusion.sandbox';

/** A customer account as `receivablesCustomerAccountActivities` shows it (built from the receivables store). */
interface AccountActivity {
  AccountId: number;
  AccountNumber: string;
  CustomerName: string;
  PartyId: number;
  PartyNumber: string | null;
  LastUpdateDate: string;
}

const accountActivityDef: ResourceDef<AccountActivity> = {
  name: 'receivablesCustomerAccountActivities',
  attrs: { AccountId: 'number', AccountNumber: 'string', CustomerName: 'string', PartyId: 'number', LastUpdateDate: 'datetime' },
  key: (a) => String(a.AccountId),
  scalars: (a) => ({ ...a }),
};

/**
 * Reads the poller needs beside purchase orders: one ship-to location by LocationId (with its address) and customer
 * accounts by LastUpdateDate. Accounts carry no stamp of their own in the store, so an account's LastUpdateDate is
 * its own when set, else its party's.
 */
export function registerPollingReads(sandbox: FusionSandbox): void {
  const fscm = '/fscmRestApi/resources/11.13.18.05';
  const locHref = `${fscm}/b2bShipToLocationsLOV`;
  sandbox.fusionRoute('GET', `${locHref}/:id`, 'read', (req, ctx) => {
    const loc = sandbox.procurement.locations.find((l) => String(l.LocationId) === req.params['id']);
    if (!loc) throw new FusionFault(404, `The requested resource b2bShipToLocationsLOV/${req.params['id']} was not found`);
    return sandbox.item(shipToLocationDef, sandbox.lovView(loc), sandbox.url + locHref, req, ctx);
  });

  const accHref = `${fscm}/receivablesCustomerAccountActivities`;
  const activities = (): AccountActivity[] =>
    sandbox.receivables.accounts.map((a) => {
      const party = sandbox.receivables.parties.find((p) => p.PartyId === a.PartyId);
      const own = (a as { LastUpdateDate?: unknown }).LastUpdateDate;
      return {
        AccountId: a.CustomerAccountId,
        AccountNumber: a.AccountNumber,
        CustomerName: a.AccountName,
        PartyId: a.PartyId,
        PartyNumber: party?.PartyNumber ?? null,
        LastUpdateDate: typeof own === 'string' ? own : (party?.LastUpdateDate ?? '1970-01-01T00:00:00.000+00:00'),
      };
    });
  sandbox.fusionRoute('GET', accHref, 'read', (req, ctx) => sandbox.collection(accountActivityDef, activities(), sandbox.url + accHref, req, ctx));
  sandbox.fusionRoute('GET', `${accHref}/:id`, 'read', (req, ctx) => {
    const found = activities().find((a) => String(a.AccountId) === req.params['id']);
    if (!found) throw new FusionFault(404, `The requested resource receivablesCustomerAccountActivities/${req.params['id']} was not found`);
    return sandbox.item(accountActivityDef, found, sandbox.url + accHref, req, ctx);
  });
}
