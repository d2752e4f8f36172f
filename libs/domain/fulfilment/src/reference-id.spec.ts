import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatReferenceId, parseReferenceId } from './reference-id';

describe('ShipBob reference ids', () => {
  it('round-trips a per-line and a per-fulfillment-center reference', () => {
    const line = { grouping: 'line', poHeaderId: '300000047507590', poLineId: '300000047507591', revision: 2 } as const;
    assert.equal(formatReferenceId(line), 'po300000047507590-l300000047507591-r2');
    assert.deepEqual(parseReferenceId(formatReferenceId(line)), line);
    const fc = { grouping: 'fulfillment-center', poHeaderId: '42', fulfillmentCenterId: '8', revision: 0 } as const;
    assert.deepEqual(parseReferenceId(formatReferenceId(fc)), fc);
    const late = { grouping: 'line', poHeaderId: '7', poLineId: '8', revision: 12 } as const;
    assert.deepEqual(parseReferenceId(formatReferenceId(late)), late, 'revisions past 9 survive');
  });

  it('refuses references we did not make', () => {
    assert.equal(parseReferenceId('ORDER-1001'), undefined);
    assert.equal(parseReferenceId('po1-l2-rX'), undefined);
  });
});
