import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertTimeZone, zonedIsoSeconds, zoneOffsetMinutes } from './zoned-time';

describe('zoned times', () => {
  it('writes an instant in a zone with that instant’s offset, daylight saving included', () => {
    const winter = Date.parse('2026-12-01T00:30:00.750Z');
    assert.equal(zonedIsoSeconds(winter, 'America/New_York'), '2026-11-30T19:30:00-05:00');
    assert.equal(zonedIsoSeconds(Date.parse('2026-07-01T14:15:00Z'), 'America/New_York'), '2026-07-01T10:15:00-04:00');
    assert.equal(zonedIsoSeconds(winter, 'Asia/Kolkata'), '2026-12-01T06:00:00+05:30');
    assert.equal(zonedIsoSeconds(winter, 'UTC'), '2026-12-01T00:30:00+00:00');
    assert.equal(zonedIsoSeconds(winter, -300), '2026-11-30T19:30:00-05:00');
    assert.equal(zoneOffsetMinutes(winter, 'Asia/Tokyo'), 540);
  });

  it('refuses a zone the runtime does not know', () => {
    assert.throws(() => assertTimeZone('Mars/Olympus_Mons'), RangeError);
    assertTimeZone('Europe/Berlin');
  });
});
