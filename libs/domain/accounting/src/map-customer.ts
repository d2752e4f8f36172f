import { toFusionAddress, type ShopifyAddress } from './address';
import { SHOPIFY_SOURCE_SYSTEM, type CustomerDocument, type CustomerMatchingRule } from './documents';
import type { ShopifyCustomer } from './shopify.payloads';

const clean = (v: string | null | undefined): string | null => {
  const t = (v ?? '').replace(/\s+/g, ' ').trim();
  return t ? t : null;
};

/**
 * A Shopify customer as the Fusion customer (party + account + bill-to site) the writer matches or creates.
 * `billing` (an order's billing address) wins over the customer's default address. A customer with a company (on the
 * default address, else on the billing address) is an organization named after the company; an individual is a
 * person (hubPersons) with first and last name, never an organization named after them.
 */
export function customerDocument(
  c: ShopifyCustomer,
  matching: CustomerMatchingRule,
  billing?: ShopifyAddress | null,
  fallbackEmail?: string | null,
): CustomerDocument {
  const email = clean(c.email ?? fallbackEmail)?.toLowerCase() ?? null;
  const source = billing ?? c.default_address ?? null;
  const person = [clean(c.first_name), clean(c.last_name)].filter(Boolean).join(' ');
  const company = clean(c.default_address?.company ?? null) ?? clean(billing?.company ?? null);
  const first = clean(c.first_name);
  const last = clean(c.last_name);
  const name = company ?? (person || email || `Shopify customer ${c.id}`);
  return {
    type: 'customer',
    shopifyCustomerId: c.id,
    email,
    phone: clean(c.phone),
    name,
    address: toFusionAddress(source) ?? null,
    sourceSystem: SHOPIFY_SOURCE_SYSTEM,
    matching,
    updatedAt: c.updated_at ?? null,
    ...(company ? { partyType: 'organization' as const } : { partyType: 'person' as const, firstName: last ? first : null, lastName: last ?? first ?? name }),
  };
}
