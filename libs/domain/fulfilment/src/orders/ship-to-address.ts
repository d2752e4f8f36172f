import { countryCode } from './country-code';
import type { AddressInput, RecipientOut } from './po-order.types';

/** `IL 60804`, `IL 60804-1234`, `ON M5H 1A1`, `NSW 2000` (the code has a digit, so `San Mateo` is no state + ZIP). */
const STATE_ZIP = /^([A-Za-z]{2,3})\s+((?=[A-Za-z -]*\d)[A-Za-z0-9][A-Za-z0-9 -]{2,9})$/;
/** A state or province code alone, written in capitals (`IL`), so that a short city (`Rye`) is not taken for one. */
const STATE_ONLY = /^[A-Z]{2,3}$/;
/**
 * A postal code on its own: has a digit and no lower-case letter (`60804`, `SW1A 2AA`, `75008`), so that an address
 * line such as `Suite 1` or `Dock 12` before the city is not taken for one (found by the property test).
 */
const ZIP_ONLY = /^(?=.*\d)[A-Z0-9][A-Z0-9 -]{2,9}$/;

const clean = (v: string | null | undefined): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

/**
 * Reads Fusion's one-line address (`ShipToLocationAddress`). Oracle writes it as the address lines, city,
 * `STATE ZIP`, county and the territory's name, e.g. `5900 W Ogden Ave, Cicero, IL 60804, Cook, United States`;
 * shorter forms (`1 Dock Road, Suite 4, Seattle, WA 98101, US`, no state, a postal code alone, ZIP+4, alpha-3 or
 * ISO country codes) read too. The county is dropped (ShipBob has no field for it). Undefined when it has no
 * address line, no city or no recognisable country (ShipBob requires address1, city and country; guessing them
 * would ship to the wrong place).
 */
export function parseOneLineAddress(text: string): AddressInput | undefined {
  const read = readOneLineAddress(text);
  return read.ok ? read.address : undefined;
}

/** What `readOneLineAddress` made of a one-line address: the parts, or why it could not tell them (never a throw). */
export type OneLineAddressRead = { ok: true; address: AddressInput } | { ok: false; reason: string };

/** `parseOneLineAddress` with the reason when the text cannot be read (for a message that says what to fix). */
export function readOneLineAddress(text: unknown): OneLineAddressRead {
  if (typeof text !== 'string') return { ok: false, reason: `not a text address: ${typeof text}` };
  const parts = text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length < 3) return { ok: false, reason: `needs an address line, a city and a country separated by commas; found ${parts.length} part(s)` };
  const last = parts.pop()!;
  const country = countryCode(last);
  if (!country) return { ok: false, reason: `the last part ${JSON.stringify(last.slice(0, 60))} is not a country name or code` };
  // The `STATE ZIP` part (or a state, or a postal code), searched from the end: only a county or region follows it.
  let state: string | null = null;
  let postalCode: string | null = null;
  for (let i = parts.length - 1; i >= 2; i--) {
    const part = parts[i]!;
    const sz = STATE_ZIP.exec(part);
    if (sz) [state, postalCode] = [sz[1]!.toUpperCase(), sz[2]!];
    else if (STATE_ONLY.test(part)) state = part;
    else if (ZIP_ONLY.test(part)) postalCode = part;
    else continue;
    parts.splice(i);
    break;
  }
  // At least two parts are left (the search stops at index 2): address line(s), then the city.
  const city = parts.pop()!;
  const [address1, ...rest] = parts;
  return { ok: true, address: { address1, address2: rest.length ? rest.join(', ') : null, city, state, postalCode, country } };
}

/**
 * The ShipBob recipient for a ship-to location, or undefined when name, address1, city or country cannot be
 * known. The name falls back to the location code.
 */
export function toRecipient(address: AddressInput | string | null | undefined, locationCode: string | null): RecipientOut | undefined {
  const a =
    typeof address === 'string'
      ? parseOneLineAddress(address)
      : address && !clean(address.address1) && clean(address.text)
        ? { ...parseOneLineAddress(address.text!), name: address.name }
        : (address ?? undefined);
  if (!a) return undefined;
  const name = clean(a.name) ?? clean(locationCode);
  const address1 = clean(a.address1);
  const city = clean(a.city);
  const country = countryCode(a.country);
  if (!name || !address1 || !city || !country) return undefined;
  return {
    name,
    address1,
    address2: clean(a.address2),
    city,
    state: clean(a.state),
    postalCode: clean(a.postalCode),
    country,
    email: clean(a.email),
    phone: clean(a.phone),
  };
}
