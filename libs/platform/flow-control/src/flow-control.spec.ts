import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@mlc/platform-testing';
import type { Kafka } from 'kafkajs';
import { FlowControl, FlowPausedError } from './flow-control';

const change = (state: 'paused' | 'resumed', at: number, eventId: string) => ({
  meta: { tenantId: 'acme', occurredAt: at, eventId },
  partner: 'shipbob',
  state,
  reason: 'r',
  actor: 'op',
});

describe('FlowControl state', () => {
  it('keeps the newest change whatever the order of arrival, and holds writers while paused', async () => {
    const flows = new FlowControl({} as Kafka, { pollMs: 5 });
    flows.apply(change('resumed', 2000, 'B'));
    flows.apply(change('paused', 1000, 'A'));
    assert.equal(flows.isPaused('acme', 'shipbob'), false);
    flows.apply(change('paused', 3000, 'C'));
    assert.throws(() => flows.assertRunning('acme', 'shipbob'), FlowPausedError);
    let beats = 0;
    const waiting = flows.waitWhilePaused('acme', 'shipbob', async () => void (beats += 1));
    await waitFor(() => beats >= 2, { intervalMs: 5 }); // two polls of 5 ms: held at least 10 ms
    flows.apply(change('resumed', 4000, 'D'));
    assert.ok((await waiting) >= 10);
    assert.ok(beats >= 2, 'heartbeats while waiting');
  });
});
