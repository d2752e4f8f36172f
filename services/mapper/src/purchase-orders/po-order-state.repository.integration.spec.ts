// mapper's PO order state over real PostgreSQL (migrated by the one migrator): POs handled side by side share
// statements, each PO's state reads back as it was saved, and one PO's bad row fails that PO alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import type { OrderState } from '@mlc/domain-fulfilment';
import { testDatabase, type TestDatabase } from '@mlc/platform-testing';
import { PgPoOrderStateStore } from './po-order-state.repository';

const order = (po: string, group: string, over: Partial<OrderState> = {}): OrderState => ({
  groupKey: group,
  referenceId: `po${po}-${group}-r0`,
  revision: 0,
  contentHash: `h-${po}-${group}`,
  state: 'active',
  lineIds: [`${po}1`, `${po}2`],
  fulfillmentCenterId: 8,
  sourceHash: null,
  ...over,
});

describe('PgPoOrderStateStore: batched loads and saves', () => {
  let db: TestDatabase;
  let pool: Pool;
  let statements = 0;

  before(async () => {
    db = await testDatabase('mapper_po_state');
    pool = new Pool({ connectionString: db.url, max: 4 });
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as { query: unknown }).query = (...args: unknown[]) => (statements++, query(...args));
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  it('60 POs saved and loaded side by side: a few statements, each PO reads back what was saved for it', async () => {
    const store = new PgPoOrderStateStore(pool);
    const pos = Array.from({ length: 60 }, (_, i) => String(500 + i));
    statements = 0;
    await Promise.all(
      pos.map((po, i) =>
        store.save(
          't1',
          po,
          [order(po, 'l1'), ...(i % 2 ? [order(po, 'l2', { state: 'cancelled' })] : [])],
          `2026-01-0${1 + (i % 9)}T00:00:00+00:00`,
          `e${po}`,
        ),
      ),
    );
    assert.ok(statements <= 3, `60 saves in ${statements} statements`);
    statements = 0;
    const loaded = await Promise.all([...pos, 'never-saved'].map((po) => store.load('t1', po)));
    assert.ok(statements <= 3, `61 loads in ${statements} statements`);
    pos.forEach((po, i) => {
      assert.deepEqual(loaded[i], {
        orders: [order(po, 'l1'), ...(i % 2 ? [order(po, 'l2', { state: 'cancelled' })] : [])],
        lastUpdateDate: `2026-01-0${1 + (i % 9)}T00:00:00+00:00`,
      });
    });
    assert.deepEqual(loaded[60], { orders: [], lastUpdateDate: undefined });
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM mapper_po_headers WHERE tenant_id = 't1'`);
    assert.equal(rows[0].n, 60);
  });

  it('two saves of one PO in flight together go one after another (the later wins); one PO’s bad row fails that PO alone', async () => {
    const store = new PgPoOrderStateStore(pool);
    const bad = order('900', 'l1', { state: 'bogus' as OrderState['state'] });
    const results = await Promise.allSettled([
      store.save('t2', '800', [order('800', 'l1', { revision: 1 })], '2026-02-01T00:00:00+00:00', 'a'),
      store.save('t2', '801', [order('801', 'l1')], '2026-02-01T00:00:00+00:00', 'b'),
      store.save('t2', '800', [order('800', 'l1', { revision: 2 })], '2026-02-02T00:00:00+00:00', 'c'),
      store.save('t2', '900', [bad], '2026-02-01T00:00:00+00:00', 'd'),
      store.save('t2', '802', [order('802', 'l1')], '2026-02-01T00:00:00+00:00', 'e'),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((results[3] as PromiseRejectedResult).reason), /check constraint/);
    assert.deepEqual(await store.load('t2', '800'), { orders: [order('800', 'l1', { revision: 2 })], lastUpdateDate: '2026-02-02T00:00:00+00:00' });
    for (const po of ['801', '802']) assert.equal((await store.load('t2', po)).orders.length, 1);
    assert.deepEqual(await store.load('t2', '900'), { orders: [], lastUpdateDate: undefined });
  });
});
