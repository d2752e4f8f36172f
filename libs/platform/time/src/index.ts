export { assertTimeZone, zonedIsoSeconds, zoneOffsetMinutes } from './zoned-time';
