const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes the IANA `timeZone` is ahead of UTC at `ms` (America/New_York: -300 in winter, -240 in summer). */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  let f = offsetFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, f);
  }
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

/** Throws RangeError when `timeZone` is not an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  zoneOffsetMinutes(0, timeZone);
}

/**
 * The instant `ms` as local time in `zone` (an IANA name, or a fixed offset in minutes) with that instant's offset,
 * to the second: `2026-11-30T19:30:00-05:00` in New York's winter, `2026-07-01T10:15:00-04:00` in its summer. This is
 * how Shopify's REST and webhook bodies write times.
 */
export function zonedIsoSeconds(ms: number, zone: string | number): string {
  const whole = Math.floor(ms / 1000) * 1000;
  const offset = typeof zone === 'number' ? zone : zoneOffsetMinutes(whole, zone);
  const local = new Date(whole + offset * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
