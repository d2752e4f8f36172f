import type { FusionSandbox } from './fusion.sandbox';
import type { FusionProcurementStore } from './fusion.store';

/** Receivables and TCA data of the simulated pod. */
export class FusionReceivablesStore {
  constructor(readonly ids: FusionProcurementStore) {}
}

export function registerReceivables(_sandbox: FusionSandbox): void {}
