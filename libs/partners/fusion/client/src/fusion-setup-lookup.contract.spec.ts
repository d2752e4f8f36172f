import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FusionSandbox } from '@mlc/partners-fusion-simulator';
import { FusionClient } from './fusion.client';
import { FusionForbiddenError } from './fusion.errors';
import { findSetupValues, probeFusionRead } from './fusion-setup-lookup';

const NAME_SWITCHES = [
  'finBusinessUnitsLOV.BusinessUnitName',
  'transactionSourcesLOV.Name',
  'transactionTypesLOV.Name',
  'accountCombinationsLOV.Segment1',
  'accountCombinationsLOV.Segment2',
  'accountCombinationsLOV.Segment3',
  'accountCombinationsLOV.Segment4',
];

/**
 * The setup look-ups `mlc doctor` makes, under both readings of the UNCONFIRMED queryability of the LOVs' name and
 * segment attributes: off (default: the client reads the list and matches) and on (`q` answers).
 */
for (const queryable of [false, true]) {
  describe(`findSetupValues against the sandbox's setup lists of values (name attributes queryable: ${queryable})`, () => {
    const sandbox = new FusionSandbox({
      pageCap: 2, // several pages even for a short list
      strict: { queryable: Object.fromEntries(NAME_SWITCHES.map((k) => [k, queryable])) },
    });
    let client: FusionClient;
    before(async () => {
      await sandbox.listen(0);
      client = new FusionClient({ baseUrl: sandbox.url, auth: { kind: 'basic', user: sandbox.options.basicUser, password: sandbox.options.basicPassword } });
      sandbox.setup.add({ businessUnits: ['EU1 Business Unit', 'CA1 Business Unit'], accountCombinations: [{ combination: '101-10-4000-100' }] });
    });
    after(() => sandbox.close());

    it('finds the demo values seeded by default and nothing for an unknown name', async () => {
      assert.equal((await findSetupValues(client, 'finBusinessUnitsLOV', { BusinessUnitName: 'US1 Business Unit' })).length, 1);
      assert.equal((await findSetupValues(client, 'finBusinessUnitsLOV', { BusinessUnitName: 'CA1 Business Unit' })).length, 1);
      assert.deepEqual(await findSetupValues(client, 'finBusinessUnitsLOV', { BusinessUnitName: "O'Brien BU" }), []);
      assert.equal((await findSetupValues(client, 'transactionSourcesLOV', { Name: 'SHOPIFY' })).length, 1);
      assert.equal((await findSetupValues(client, 'transactionTypesLOV', { Name: 'Invoice' })).length, 1);
      assert.deepEqual(await findSetupValues(client, 'transactionTypesLOV', { Name: 'Debit Memo' }), []);
    });

    it('matches a GL combination on every segment and shows whether it is enabled', async () => {
      const seg = (c: string) => Object.fromEntries(c.split('-').map((v, i) => [`Segment${i + 1}`, v]));
      const [enabled] = await findSetupValues(client, 'accountCombinationsLOV', seg('101-10-4000-000'));
      assert.equal(enabled?.['EnabledFlag'], true);
      const [disabled] = await findSetupValues(client, 'accountCombinationsLOV', seg('101-10-4999-000'));
      assert.equal(disabled?.['EnabledFlag'], false);
      assert.deepEqual(await findSetupValues(client, 'accountCombinationsLOV', seg('101-10-4000-001')), []);
    });

    it('throws the client error when Fusion refuses the look-up (403), and reads resources with probeFusionRead', async () => {
      sandbox.setup.add({ refused: ['transactionTypesLOV'] });
      await assert.rejects(findSetupValues(client, 'transactionTypesLOV', { Name: 'Invoice' }), FusionForbiddenError);
      await probeFusionRead(client, 'purchaseOrders');
      await probeFusionRead(client, 'hubOrganizations', 'crm');
    });
  });
}
