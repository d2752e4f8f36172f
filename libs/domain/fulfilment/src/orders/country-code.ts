/**
 * ISO 3166-1 alpha-2 code for a country as an address writes it: the code itself, a common alpha-3 code, or the
 * English name (Fusion's one-line addresses end with the territory's name, e.g. `United States`). Names come from
 * the runtime's CLDR data (Intl.DisplayNames), plus the spellings it does not produce (`United States of America`,
 * `Korea, Republic of`, `UK`…). Undefined when nothing matches: guessing a country ships to the wrong place.
 */
export function countryCode(text: string | null | undefined): string | undefined {
  const raw = text?.trim();
  if (!raw) return undefined;
  if (/^[A-Za-z]{2}$/.test(raw)) {
    // Through the name, so an alias code (`UK`) comes out as the ISO one (`GB`).
    const name = regionName(raw.toUpperCase());
    return name ? regionNames().get(normalise(name)) : undefined;
  }
  const key = normalise(raw);
  return ALIASES[key] ?? ALPHA3[raw.toUpperCase()] ?? regionNames().get(key);
}

const normalise = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[.'’]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^the /, '');

let displayNames: Intl.DisplayNames | undefined;
function regionName(code: string): string | undefined {
  displayNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  try {
    return displayNames.of(code);
  } catch {
    return undefined;
  }
}

let names: Map<string, string> | undefined;
/** Every English region name the runtime knows -> its alpha-2 code (AA..ZZ, skipping the user-assigned ones). */
function regionNames(): Map<string, string> {
  if (names) return names;
  names = new Map();
  const A = 'A'.charCodeAt(0);
  for (let i = 0; i < 26; i++) {
    for (let j = 0; j < 26; j++) {
      const code = String.fromCharCode(A + i, A + j);
      if (/^(AA|Q[M-Z]|X[A-Z]|ZZ|EU|EZ|UN)$/.test(code) || WITHDRAWN.has(code)) continue;
      const name = regionName(code);
      if (name && name !== code && !names.has(normalise(name))) names.set(normalise(name), code);
    }
  }
  return names;
}

/** Withdrawn or reserved codes CLDR still names (`DD` Germany, `UK`…): their current codes are used instead. */
const WITHDRAWN = new Set(['AN', 'BU', 'CS', 'DD', 'DY', 'FX', 'HV', 'NH', 'RH', 'SU', 'TP', 'UK', 'VD', 'YD', 'YU', 'ZR']);

const ALIASES: Record<string, string> = {
  'united states of america': 'US',
  usa: 'US',
  us: 'US',
  america: 'US',
  'united kingdom of great britain and northern ireland': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  'korea republic of': 'KR',
  'republic of korea': 'KR',
  korea: 'KR',
  'czech republic': 'CZ',
  'russian federation': 'RU',
  'viet nam': 'VN',
  holland: 'NL',
  'hong kong sar china': 'HK',
  'hong kong sar': 'HK',
  'taiwan province of china': 'TW',
  'iran islamic republic of': 'IR',
  macedonia: 'MK',
  turkey: 'TR',
  'ivory coast': 'CI',
  'cote divoire': 'CI',
  'bosnia herzegovina': 'BA',
  uae: 'AE',
  myanmar: 'MM',
  burma: 'MM',
  'democratic republic of the congo': 'CD',
  'republic of the congo': 'CG',
  congo: 'CG',
};

/** Alpha-3 codes seen on shipping documents; not exhaustive (alpha-2 and names cover the rest). */
const ALPHA3: Record<string, string> = {
  USA: 'US',
  CAN: 'CA',
  MEX: 'MX',
  GBR: 'GB',
  IRL: 'IE',
  FRA: 'FR',
  DEU: 'DE',
  NLD: 'NL',
  BEL: 'BE',
  LUX: 'LU',
  ESP: 'ES',
  PRT: 'PT',
  ITA: 'IT',
  CHE: 'CH',
  AUT: 'AT',
  DNK: 'DK',
  SWE: 'SE',
  NOR: 'NO',
  FIN: 'FI',
  POL: 'PL',
  CZE: 'CZ',
  AUS: 'AU',
  NZL: 'NZ',
  JPN: 'JP',
  CHN: 'CN',
  KOR: 'KR',
  IND: 'IN',
  SGP: 'SG',
  HKG: 'HK',
  TWN: 'TW',
  BRA: 'BR',
  ARG: 'AR',
  CHL: 'CL',
  ZAF: 'ZA',
  ARE: 'AE',
  ISR: 'IL',
  TUR: 'TR',
};
