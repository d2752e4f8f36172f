import type { AdminApiClient } from './admin-api.client';
import { seg } from './admin-api.client';

export const DOCTOR_USAGE = `
  mlc doctor <tenant> [--json]   checks every prerequisite of both flows against the live partners, each failure with
                                 its fix (exit 0 all good, 3 when a check fails, 1 when the API cannot answer)
`;

interface Finding {
  check: string;
  partner: string;
  status: 'ok' | 'fail' | 'warn' | 'skipped';
  message: string;
  fix?: string;
}
interface Report {
  tenantId: string;
  ok: boolean;
  checkedAt: string;
  findings: Finding[];
}

const MARK: Record<Finding['status'], string> = { ok: '✔', fail: '✖', warn: '!', skipped: '-' };
const PARTNERS = ['fusion', 'shipbob', 'shopify', 'mlc'];

/** Findings grouped by partner, ✔/✖/!/- per line, the fix indented below each failure and warning. */
export function formatDoctorReport(r: Report): string {
  const lines = [`doctor ${r.tenantId}: ${r.ok ? 'all prerequisites met' : 'prerequisites missing'}`];
  const partners = [...PARTNERS, ...new Set(r.findings.map((f) => f.partner).filter((p) => !PARTNERS.includes(p)))];
  for (const p of partners) {
    const group = r.findings.filter((f) => f.partner === p);
    if (!group.length) continue;
    lines.push('', p.toUpperCase());
    for (const f of group) {
      lines.push(`  ${MARK[f.status] ?? '?'} ${f.check}: ${f.message}`);
      if (f.fix && f.status !== 'ok') lines.push(`      fix: ${f.fix}`);
    }
  }
  const count = (s: Finding['status']) => r.findings.filter((f) => f.status === s).length;
  lines.push('', `${count('ok')} ok, ${count('fail')} failed, ${count('warn')} warnings, ${count('skipped')} skipped`);
  return `${lines.join('\n')}\n`;
}

/**
 * `mlc doctor <tenant> [--json]`: undefined when the command is not `doctor`; else the exit code (0 ok, 3 a check
 * failed; API errors are thrown as AdminApiError, which the CLI turns into exit 1).
 */
export async function runDoctorCommand(
  positionals: string[],
  ctx: { api: AdminApiClient; print: (data: unknown, human: () => string) => void },
): Promise<number | undefined> {
  if (positionals[0] !== 'doctor') return undefined;
  const tenant = positionals[1];
  if (!tenant || positionals.length > 2) throw new DoctorUsageError('usage: mlc doctor <tenant> [--json]');
  const r = await ctx.api.request<Report>('GET', `/admin/tenants/${seg(tenant)}/doctor`);
  ctx.print(r, () => formatDoctorReport(r));
  return r.ok ? 0 : 3;
}

export class DoctorUsageError extends Error {}
