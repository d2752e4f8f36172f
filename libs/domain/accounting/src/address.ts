/** A Shopify address as webhooks carry it (order billing/shipping address or a customer's default address). */
export interface ShopifyAddress {
  first_name?: string | null;
  last_name?: string | null;
  name?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  province_code?: string | null;
  country?: string | null;
  country_code?: string | null;
  zip?: string | null;
  phone?: string | null;
}

/** A TCA address as Fusion's hubOrganizations `Address` child takes it (Country ISO-2). */
export interface FusionAddress {
  AddressType: 'BILL_TO';
  Address1: string;
  Address2?: string;
  City?: string;
  State?: string;
  PostalCode?: string;
  Country: string;
}

/** Country names Shopify may put into `country` when `country_code` is absent. */
const COUNTRY_NAMES: Record<string, string> = {
  canada: 'CA',
  'united states': 'US',
  'united states of america': 'US',
  usa: 'US',
  'united kingdom': 'GB',
  'great britain': 'GB',
  germany: 'DE',
  deutschland: 'DE',
  france: 'FR',
  netherlands: 'NL',
  australia: 'AU',
  japan: 'JP',
  ireland: 'IE',
  mexico: 'MX',
  kuwait: 'KW',
};

const clean = (v: string | null | undefined): string | undefined => {
  const t = (v ?? '').replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
};

/** ISO 3166-1 alpha-2 from `country_code`, or from a known country name (some samples put codes into `country`). */
export function countryCode(a: ShopifyAddress): string | undefined {
  const code = clean(a.country_code)?.toUpperCase();
  if (code && /^[A-Z]{2}$/.test(code)) return code;
  const name = clean(a.country);
  if (!name) return undefined;
  if (/^[A-Za-z]{2}$/.test(name)) return name.toUpperCase();
  return COUNTRY_NAMES[name.toLowerCase()];
}

/** The region code without a country prefix ("CA-ON" → "ON"), uppercase; the province name when there is no code. */
export function regionCode(a: ShopifyAddress): string | undefined {
  const code = clean(a.province_code);
  if (code) return code.toUpperCase().replace(/^[A-Z]{2}-/, '');
  return clean(a.province);
}

/** Postal codes in the country's usual layout: CA "K1P 1J1", US "12345" / "12345-6789", GB/NL/IE spacing, else uppercase. */
export function normalisePostalCode(zip: string | null | undefined, country: string | undefined): string | undefined {
  const z = clean(zip)?.toUpperCase();
  if (!z) return undefined;
  const compact = z.replace(/[\s-]/g, '');
  switch (country) {
    case 'CA':
      return /^[A-Z]\d[A-Z]\d[A-Z]\d$/.test(compact) ? `${compact.slice(0, 3)} ${compact.slice(3)}` : z;
    case 'US':
      if (/^\d{5}$/.test(compact)) return compact;
      if (/^\d{9}$/.test(compact)) return `${compact.slice(0, 5)}-${compact.slice(5)}`;
      return z;
    case 'GB':
    case 'IE':
      return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact;
    case 'NL':
      return /^\d{4}[A-Z]{2}$/.test(compact) ? `${compact.slice(0, 4)} ${compact.slice(4)}` : z;
    default:
      return z;
  }
}

/**
 * Shopify address → Fusion BILL_TO address: ISO country, region code, the postal code in its country's layout, street
 * lines with collapsed whitespace (address2 only when present; a company name goes first when there is no street).
 * Undefined when there is no usable address (no street or no country).
 */
export function toFusionAddress(a: ShopifyAddress | null | undefined): FusionAddress | undefined {
  if (!a) return undefined;
  const country = countryCode(a);
  const line1 = clean(a.address1) ?? clean(a.company);
  if (!country || !line1) return undefined;
  const out: FusionAddress = { AddressType: 'BILL_TO', Address1: line1, Country: country };
  const line2 = clean(a.address2);
  if (line2) out.Address2 = line2;
  const city = clean(a.city);
  if (city) out.City = city;
  const state = regionCode(a);
  if (state) out.State = state;
  const postal = normalisePostalCode(a.zip, country);
  if (postal) out.PostalCode = postal;
  return out;
}
