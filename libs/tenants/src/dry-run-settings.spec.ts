import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applySettingsPatch } from './tenant-config.validation';
import { TenantValidationError } from './tenants.errors';
import { DEFAULT_SETTINGS } from './tenants.types';

describe('settings.dryRun', () => {
  it('is off by default and changes per flow: a patch of one flow keeps the other', () => {
    assert.equal(DEFAULT_SETTINGS.dryRun, undefined);
    const both = applySettingsPatch(DEFAULT_SETTINGS, { dryRun: { purchaseOrders: true, receivables: true } });
    assert.deepEqual(both.dryRun, { purchaseOrders: true, receivables: true });
    assert.deepEqual(applySettingsPatch(both, { dryRun: { receivables: false } }).dryRun, { purchaseOrders: true, receivables: false });
    assert.deepEqual(applySettingsPatch(both, { shopifyWriteBack: true }).dryRun, { purchaseOrders: true, receivables: true });
  });

  it('refuses unknown flows and non-booleans, naming each field', () => {
    assert.throws(
      () => applySettingsPatch(DEFAULT_SETTINGS, { dryRun: { purchaseOrders: 'yes', shipments: true } }),
      (err: unknown) => {
        assert.ok(err instanceof TenantValidationError);
        const fields = err.problems.map((p) => p.field).sort();
        assert.deepEqual(fields, ['settings.dryRun.purchaseOrders', 'settings.dryRun.shipments']);
        return true;
      },
    );
    assert.throws(() => applySettingsPatch(DEFAULT_SETTINGS, { dryRun: true }), TenantValidationError);
  });
});
