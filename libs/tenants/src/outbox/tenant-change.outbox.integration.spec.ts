import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { testDatabase, waitFor, type TestDatabase } from '@mlc/platform-testing';
import { SecretBox } from '../crypto/secret-box';
import { createTenantsDataSource } from '../data-source';
import { TenantConfigService } from '../tenant-config.service';
import type { TenantChangePublisher, TenantConfigChange } from '../tenants.types';

/** A broker stand-in that can be switched off: publish() rejects while `down`. */
class SwitchablePublisher implements TenantChangePublisher {
  down = false;
  attempts = 0;
  readonly acked: TenantConfigChange[] = [];
  async publish(change: TenantConfigChange): Promise<void> {
    this.attempts++;
    if (this.down) throw Object.assign(new Error('broker unreachable'), { code: 'KAFKA_CONNECTION' });
    this.acked.push(change);
  }
}

describe('tenant change outbox (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ds2: DataSource;
  const warnings: string[] = [];

  before(async () => {
    db = await testDatabase('tenants_outbox');
    ds = createTenantsDataSource(db.url);
    ds2 = createTenantsDataSource(db.url);
    await ds.initialize();
    await ds2.initialize();
  });
  after(async () => {
    await ds?.destroy();
    await ds2?.destroy();
    await db?.drop();
  });

  it('keeps a change whose publish fails after commit, and relays it (in order) once the broker is back', async () => {
    const broker = new SwitchablePublisher();
    const key = SecretBox.generateKey('k1');
    const svc = new TenantConfigService({
      dataSource: ds,
      secretBox: new SecretBox(key),
      publisher: broker,
      relay: { intervalMs: 50 },
      logger: { warn: (m) => void warnings.push(m) },
    });
    broker.down = true;
    await svc.createTenant({ id: 'acme', name: 'Acme' }, 'alice');
    await svc.setMapping('acme', 'item-product', 'ITEM-1', { shipbobSku: 'SKU-A' }, 'alice');
    await svc.setMapping('acme', 'item-product', 'ITEM-1', { shipbobSku: 'SKU-B' }, 'alice');

    // Committed and visible although nothing reached the broker.
    assert.equal((await svc.getTenantSnapshot('acme')).mappings['item-product']['ITEM-1']?.shipbobSku, 'SKU-B');
    assert.equal(broker.acked.length, 0);
    assert.ok(broker.attempts >= 3, 'each commit tried to publish at once');
    assert.equal(await svc.outbox.pending(), 3);
    const [row] = (await ds.query(`SELECT attempts, last_error FROM tenant_config_outbox ORDER BY id LIMIT 1`)) as Array<{
      attempts: number;
      last_error: string;
    }>;
    assert.ok(row!.attempts >= 1);
    assert.equal(row!.last_error, 'KAFKA_CONNECTION');
    assert.ok(warnings.some((w) => w.includes('waits in the outbox')));

    // The hosting service's relay loop retries until the broker acknowledges.
    svc.outbox.start();
    try {
      const tried = broker.attempts;
      await waitFor(() => broker.attempts >= tried + 2, { what: 'the relay to try the down broker twice more' });
      assert.equal(await svc.outbox.pending(), 3, 'still down: nothing dropped');
      broker.down = false;
      await waitFor(async () => (await svc.outbox.pending()) === 0, { timeoutMs: 5000, what: 'outbox drained' });
    } finally {
      await svc.outbox.stop();
    }
    assert.deepEqual(
      broker.acked.map((c) => [c.version, c.entity, c.key, c.action]),
      [
        [1, 'tenant', 'acme', 'created'],
        [2, 'mapping', 'item-product:ITEM-1', 'created'],
        [3, 'mapping', 'item-product:ITEM-1', 'updated'],
      ],
    );
    assert.deepEqual((broker.acked[2]!.newValue as { shipbobSku: string }).shipbobSku, 'SKU-B');
  });

  it('publishes each change once and in order when two replicas relay at the same time', async () => {
    const key = SecretBox.generateKey('k1');
    const a = new SwitchablePublisher();
    const b = new SwitchablePublisher();
    const svcA = new TenantConfigService({ dataSource: ds, secretBox: new SecretBox(key), publisher: a });
    const svcB = new TenantConfigService({ dataSource: ds2, secretBox: new SecretBox(key), publisher: b });
    await svcA.createTenant({ id: 'globex', name: 'Globex' }, 'bob');
    // Writes from both replicas, interleaved, each relaying after its own commit.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? svcA : svcB).setMapping('globex', 'ship-to-fc', `LOC-${i}`, { fulfillmentCenterId: i + 1 }, 'bob')),
    );
    await Promise.all([svcA.outbox.relayPending(), svcB.outbox.relayPending()]);
    assert.equal(await svcA.outbox.pending(), 0);
    const all = [...a.acked, ...b.acked].filter((c) => c.tenantId === 'globex');
    assert.equal(all.length, 11, 'every change published exactly once');
    const versions = all.map((c) => c.version).sort((x, y) => x - y);
    assert.deepEqual(
      versions,
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
    // Per publisher, versions only go up (one relay at a time, rows in commit order).
    for (const p of [a, b]) {
      const v = p.acked.filter((c) => c.tenantId === 'globex').map((c) => c.version);
      assert.deepEqual(
        v,
        [...v].sort((x, y) => x - y),
      );
    }
  });
});
