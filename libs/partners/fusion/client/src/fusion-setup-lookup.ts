import type { FusionClient } from './fusion.client';
import { FusionRejectedError } from './fusion.errors';

const FSCM = '/fscmRestApi/resources/11.13.18.05';
const PAGE = 500;

type Row = Record<string, unknown>;

/**
 * Rows of a Fusion list of values (finBusinessUnitsLOV, transactionSourcesLOV, transactionTypesLOV,
 * accountCombinationsLOV…) whose attributes equal every value in `criteria`. It asks with `q` first; where Fusion
 * refuses `q` on those attributes (their queryability is UNCONFIRMED), it reads the list page by page, at most
 * `maxRows` rows, and matches here. 401/403/404 (credentials, privilege, a resource the pod does not have) are
 * thrown as the client's errors for the caller to judge.
 */
export async function findSetupValues(
  client: FusionClient,
  resource: string,
  criteria: Record<string, string>,
  opts: { maxRows?: number } = {},
): Promise<Row[]> {
  const path = `${FSCM}/${resource}`;
  const q = Object.entries(criteria)
    .map(([k, v]) => `${k}='${v.replace(/'/g, "''")}'`)
    .join(' and ');
  try {
    const page = await client.getJson<{ items?: Row[] }>(path, { q, onlyData: true, limit: 25 });
    return page.items ?? [];
  } catch (err) {
    if (!(err instanceof FusionRejectedError)) throw err;
  }
  const maxRows = opts.maxRows ?? 5_000;
  const out: Row[] = [];
  for (let offset = 0; offset < maxRows;) {
    const page = await client.getJson<{ items?: Row[]; hasMore?: boolean }>(path, { onlyData: true, limit: PAGE, offset });
    const items = page.items ?? [];
    out.push(...items.filter((r) => Object.entries(criteria).every(([k, v]) => String(r[k] ?? '') === v)));
    if (!page.hasMore || !items.length) return out;
    offset += items.length;
  }
  return out;
}

/** One cheap read of a REST resource (`fscm` or `crm` root): resolves when it answers, throws the client's error. */
export async function probeFusionRead(client: FusionClient, resource: string, root: 'fscm' | 'crm' = 'fscm'): Promise<void> {
  const base = root === 'fscm' ? FSCM : '/crmRestApi/resources/11.13.18.05';
  await client.getJson(`${base}/${resource}`, { limit: 1, onlyData: true });
}
