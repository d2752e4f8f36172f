import type { AddressInput, RecipientOut } from './po-order.types';

const COUNTRY = /^[A-Za-z]{2}$/;
const STATE_ZIP = /^([A-Za-z]{2,3})(?:\s+([A-Za-z0-9][A-Za-z0-9 -]{2,9}))?$/;
const ZIP_ONLY = /^\d[A-Za-z0-9 -]{2,9}$/;

const clean = (v: string | null | undefined): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

/**
 * Reads Fusion's one-line address (`ShipToLocationAddress`), e.g. `1 Dock Road, Suite 4, Seattle, WA 98101, US`:
 * address lines, city, optional `STATE ZIP`, and a two-letter country last. Undefined when it has no city or no
 * ISO country (ShipBob requires address1, city and country; guessing them would ship to the wrong place).
 */
export function parseOneLineAddress(text: string): AddressInput | undefined {
  const parts = text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length < 3) return undefined;
  const country = parts.pop()!;
  if (!COUNTRY.test(country)) return undefined;
  let state: string | null = null;
  let postalCode: string | null = null;
  const last = parts[parts.length - 1]!;
  const sz = STATE_ZIP.exec(last);
  if (parts.length >= 3 && sz) {
    state = sz[1]!.toUpperCase();
    postalCode = sz[2] ?? null;
    parts.pop();
  } else if (parts.length >= 3 && ZIP_ONLY.test(last)) {
    postalCode = last;
    parts.pop();
  }
  if (parts.length < 2) return undefined;
  const city = parts.pop()!;
  const [address1, ...rest] = parts;
  return { address1, address2: rest.length ? rest.join(', ') : null, city, state, postalCode, country: country.toUpperCase() };
}

/**
 * The ShipBob recipient for a ship-to location, or undefined when name, address1, city or country cannot be
 * known. The name falls back to the location code.
 */
export function toRecipient(address: AddressInput | string | null | undefined, locationCode: string | null): RecipientOut | undefined {
  const a = typeof address === 'string' ? parseOneLineAddress(address) : address && !clean(address.address1) && clean(address.text) ? { ...parseOneLineAddress(address.text!), name: address.name } : address ?? undefined;
  if (!a) return undefined;
  const name = clean(a.name) ?? clean(locationCode);
  const address1 = clean(a.address1);
  const city = clean(a.city);
  const country = clean(a.country);
  if (!name || !address1 || !city || !country || !COUNTRY.test(country)) return undefined;
  return {
    name,
    address1,
    address2: clean(a.address2),
    city,
    state: clean(a.state),
    postalCode: clean(a.postalCode),
    country: country.toUpperCase(),
    email: clean(a.email),
    phone: clean(a.phone),
  };
}
