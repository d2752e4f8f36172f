import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Pool } from 'pg';
import { partnerPingers } from '@mlc/tenancy';
import { TenantConfigService, TokenManager, type PartnerPingers } from '@mlc/tenants';
import { LOGGER, PG_POOL } from '@mlc/platform-service';
import type { Logger } from '@mlc/platform-telemetry';
import { describe } from './doctor.findings';
import { DOCTOR_CHECK_PROVIDERS, type DoctorCheckProvider, type DoctorFinding, type DoctorReport } from './doctor.types';
import { fusionChecks } from './fusion.checks';
import { cursorChecks, settingsChecks } from './mlc.checks';
import { shipbobChecks } from './shipbob.checks';
import { shopifyChecks } from './shopify.checks';

/** The whole run's budget: every partner call has its own timeout; this stops a run that hangs on many of them. */
const RUN_TIMEOUT_MS = 60_000;

/**
 * `mlc doctor`: checks every prerequisite of both flows for a tenant against the live partners and the connector's
 * own state, each finding with its fix. Reads only: nothing is written to a partner or to the tenant.
 */
@Injectable()
export class DoctorService {
  private readonly pingers: PartnerPingers;

  constructor(
    private readonly config: TenantConfigService,
    private readonly tokens: TokenManager,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOGGER) private readonly log: Logger,
    @Optional() @Inject(DOCTOR_CHECK_PROVIDERS) private readonly extra: DoctorCheckProvider[] = [],
  ) {
    this.pingers = partnerPingers({ tokens });
  }

  /** Throws TenantNotFoundError for an unknown tenant. */
  async run(tenantId: string): Promise<DoctorReport> {
    this.config.invalidate(tenantId);
    const s = await this.config.getTenantSnapshot(tenantId);
    const signal = AbortSignal.timeout(RUN_TIMEOUT_MS);
    const guard = async (name: string, partner: DoctorFinding['partner'], run: () => Promise<DoctorFinding[]>): Promise<DoctorFinding[]> => {
      try {
        return await run();
      } catch (err) {
        this.log.warn('doctor check failed to run', { tenantId, check: name, error: describe(err) });
        return [{ check: name, partner, status: 'warn', message: `the ${name} checks could not run: ${describe(err)}` }];
      }
    };
    const groups = await Promise.all([
      guard('fusion', 'fusion', () => fusionChecks(tenantId, s, this.pingers.fusion, signal)),
      guard('shipbob', 'shipbob', () => shipbobChecks(tenantId, s, this.pingers.shipbob, this.tokens, signal)),
      guard('shopify', 'shopify', () => shopifyChecks(tenantId, s, this.pingers.shopify, signal)),
      guard('settings', 'mlc', async () => settingsChecks(tenantId, s)),
      guard('cursors', 'mlc', () => cursorChecks(tenantId, this.pool)),
      ...(this.extra.length
        ? this.extra.map((p) => guard(p.name, 'mlc', () => p.run(tenantId)))
        : [
            Promise.resolve<DoctorFinding[]>([
              {
                check: 'webhooks.subscriptions',
                partner: 'mlc',
                status: 'skipped',
                message: 'not checked: no webhook subscription check is installed in this build',
              },
            ]),
          ]),
    ]);
    // An extra check of a partner whose connection or credentials already fail says nothing new: skipped, not a second fail.
    const unreachable = new Set(
      groups
        .flat()
        .filter((f) => f.status === 'fail' && /^(fusion|shipbob|shopify)\.(connection|credentials)$/.test(f.check))
        .map((f) => f.partner),
    );
    const extras = groups
      .slice(5)
      .flat()
      .map((f): DoctorFinding =>
        f.status === 'fail' && unreachable.has(f.partner)
          ? { check: f.check, partner: f.partner, status: 'skipped', message: `not checked: the ${f.partner} credentials fail (see above)` }
          : f,
      );
    const findings = [...groups.slice(0, 5).flat(), ...extras];
    return { tenantId, ok: !findings.some((x) => x.status === 'fail'), checkedAt: new Date().toISOString(), findings };
  }
}
