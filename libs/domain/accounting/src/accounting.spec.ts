import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromMinor, toMinor, prorate, MoneyFormatError, addAmounts } from './money';
import { normalisePostalCode, toFusionAddress } from './address';
import { ledgerOfInvoice, orderAmendment, orderInvoice, refundCreditMemo, type AccountingConfig } from './map-order';
import { customerDocument } from './map-customer';
import type { ShopifyOrder } from './shopify.payloads';
import { TEST_ACCOUNTING as CONFIG } from './fixtures/accounting';

const total = (lines: { amount: string }[], cur: string) =>
  fromMinor(
    lines.reduce((s, l) => s + toMinor(l.amount, cur), 0n),
    cur,
  );

function order(over: Partial<ShopifyOrder> = {}): ShopifyOrder {
  return {
    id: '820982911946154508',
    name: '#9999',
    currency: 'CAD',
    created_at: '2026-11-02T10:15:00-05:00',
    updated_at: '2026-11-02T10:15:00-05:00',
    processed_at: '2026-11-02T10:15:00-05:00',
    total_price: '98.31',
    total_tax: '11.32',
    total_discounts: '5.00',
    current_total_tax: '11.32',
    taxes_included: false,
    customer: {
      id: '115310627314723954',
      email: 'Bob@Example.com',
      first_name: 'Bob',
      last_name: 'Norman',
      default_address: { address1: '1 Main', country_code: 'CA', zip: 'k1p1j1', province_code: 'ON' },
    },
    billing_address: { address1: ' 24  Sussex Dr ', city: 'Ottawa', province_code: 'CA-ON', country: 'Canada', zip: 'k1m1m4' },
    line_items: [
      {
        id: '1',
        sku: 'TEE',
        title: 'Tee',
        quantity: 2,
        current_quantity: 2,
        price: '25.00',
        discount_allocations: [{ amount: '5.00' }],
        tax_lines: [{ title: 'HST', price: '5.85' }],
      },
      { id: '2', sku: 'SOCK', title: 'Socks', quantity: 3, current_quantity: 3, price: '7.33', tax_lines: [{ title: 'HST', price: '2.86' }] },
    ],
    shipping_lines: [{ title: 'Standard', price: '15.00', tax_lines: [{ title: 'HST', price: '1.95' }] }],
    refunds: [],
    ...over,
  } as ShopifyOrder;
}

describe('money', () => {
  it('reads and writes decimal strings per currency precision (0, 2 and 3 decimals) without floats', () => {
    assert.equal(toMinor('404.95', 'USD'), 40495n);
    assert.equal(toMinor('1200.0', 'JPY'), 1200n);
    assert.equal(fromMinor(1200n, 'JPY'), '1200');
    assert.equal(toMinor('1.250', 'KWD'), 1250n);
    assert.equal(fromMinor(-1250n, 'KWD'), '-1.250');
    assert.equal(fromMinor(5n, 'EUR'), '0.05');
    assert.equal(addAmounts(['0.10', '0.20'], 'USD'), '0.30');
    assert.equal(toMinor('92233720368547758.07', 'USD'), 9223372036854775807n);
    assert.throws(() => toMinor('1.5', 'JPY'), MoneyFormatError);
    assert.throws(() => toMinor('1.234', 'USD'), MoneyFormatError);
    assert.throws(() => toMinor('12,50', 'EUR'), MoneyFormatError);
    assert.equal(prorate(325n, 1n, 3n), 108n);
    assert.equal(prorate(-325n, 2n, 3n), -217n);
  });
});

describe('addresses', () => {
  it('normalises country, region, lines and postal codes', () => {
    assert.deepEqual(toFusionAddress({ address1: ' 24  Sussex Dr ', address2: '', city: 'Ottawa', province_code: 'CA-ON', country: 'Canada', zip: 'k1m1m4' }), {
      AddressType: 'BILL_TO',
      Address1: '24 Sussex Dr',
      City: 'Ottawa',
      State: 'ON',
      PostalCode: 'K1M 1M4',
      Country: 'CA',
    });
    assert.equal(normalisePostalCode('123456789', 'US'), '12345-6789');
    assert.equal(normalisePostalCode('sw1a1aa', 'GB'), 'SW1A 1AA');
    assert.equal(normalisePostalCode('1234ab', 'NL'), '1234 AB');
    assert.equal(toFusionAddress({ country_code: 'CA', zip: 'K1P 1J1' }), undefined, 'no street: no address');
    assert.equal(toFusionAddress(null), undefined);
    assert.equal(toFusionAddress({ address1: 'x', country: 'CA', province: 'ON' })?.State, 'ON', 'the customer sample puts codes into country/province');
  });

  it('maps a customer with a lowercased email and the company as the party name', () => {
    const doc = customerDocument(
      {
        id: '9007199254740993',
        email: ' A@B.COM ',
        first_name: 'Ann',
        last_name: 'Lee',
        default_address: { company: 'Maple Co', address1: '1 Bay', country_code: 'CA' },
      },
      'email-then-external-id',
    );
    assert.equal(doc.email, 'a@b.com');
    assert.equal(doc.name, 'Maple Co');
    assert.equal(doc.shopifyCustomerId, '9007199254740993');
    assert.equal(customerDocument({ id: '1', email: null }, 'external-id-then-email').name, 'Shopify customer 1');
  });

  it('an individual customer is a person with first and last name; a company makes an organization', () => {
    const person = customerDocument(
      { id: '5', email: 'ann@example.com', first_name: ' Ann ', last_name: 'Lee', default_address: { address1: '1 Bay', country_code: 'CA' } },
      'email-then-external-id',
    );
    assert.deepEqual([person.partyType, person.firstName, person.lastName, person.name], ['person', 'Ann', 'Lee', 'Ann Lee']);
    const onlyFirst = customerDocument({ id: '6', email: null, first_name: 'Cher' }, 'email-then-external-id');
    assert.deepEqual([onlyFirst.partyType, onlyFirst.firstName, onlyFirst.lastName], ['person', null, 'Cher']);
    const nameless = customerDocument({ id: '7', email: 'x@y.com' }, 'email-then-external-id');
    assert.deepEqual([nameless.partyType, nameless.lastName], ['person', 'x@y.com']);
    const company = customerDocument(
      { id: '8', email: null, first_name: 'Ann', last_name: 'Lee', default_address: { company: 'Maple Co', address1: '1 Bay', country_code: 'CA' } },
      'email-then-external-id',
    );
    assert.deepEqual([company.partyType, company.name, company.firstName], ['organization', 'Maple Co', undefined]);
    const billedCompany = customerDocument({ id: '9', email: null, first_name: 'Ann', last_name: 'Lee' }, 'email-then-external-id', {
      company: 'Bay Ltd',
      address1: '2 Bay',
      country_code: 'CA',
    });
    assert.deepEqual([billedCompany.partyType, billedCompany.name], ['organization', 'Bay Ltd']);
  });
});

describe('order → invoice', () => {
  it('bills items, discounts, shipping and tax, with a rounding line so the total equals total_price to the cent', () => {
    const inv = orderInvoice(order(), CONFIG, 'email-then-external-id');
    assert.deepEqual(
      inv.lines.map((l) => [l.kind, l.quantity, l.unitSellingPrice, l.amount]),
      [
        ['item', '2', '25.00', '50.00'],
        ['item', '3', '7.33', '21.99'],
        ['discount', '1', '-5.00', '-5.00'],
        ['shipping', '1', '15.00', '15.00'],
        ['tax', '1', '10.66', '10.66'],
        ['rounding', '1', '5.66', '5.66'],
      ],
    );
    assert.equal(total(inv.lines, 'CAD'), '98.31');
    assert.equal(inv.total, '98.31');
    assert.equal(inv.crossReference, '820982911946154508');
    assert.equal(inv.transactionDate, '2026-11-02');
    assert.equal(inv.billTo.kind === 'customer' && inv.billTo.customer.address?.PostalCode, 'K1M 1M4', 'the billing address wins');
  });

  it('bills guests to the configured account and handles 0-decimal currencies', () => {
    const inv = orderInvoice(
      order({
        customer: null,
        currency: 'JPY',
        total_price: '3300',
        total_discounts: '0',
        line_items: [{ id: '1', quantity: 1, price: '3000', tax_lines: [{ title: 'JCT', price: '300.0' }] }],
        shipping_lines: [],
      }),
      CONFIG,
      'email-then-external-id',
    );
    assert.deepEqual(inv.billTo, { kind: 'guest', accountNumber: 'GUEST-0001' });
    assert.deepEqual(
      inv.lines.map((l) => l.amount),
      ['3000', '300'],
    );
  });
});

describe('amendments and refunds', () => {
  const base = order({ total_price: '97.65', total_discounts: '0', line_items: order().line_items.map((l) => ({ ...l, discount_allocations: [] })) });

  it('turns an edit into a supplementary invoice (increase) and a credit against the original lines (decrease), tax following the lines', () => {
    const inv = orderInvoice(base, CONFIG, 'email-then-external-id');
    assert.ok(!inv.lines.some((l) => l.kind === 'rounding'));
    const edited = {
      ...base,
      updated_at: '2026-11-02T11:00:00-05:00',
      current_total_tax: '10.98',
      line_items: [
        { ...base.line_items[0]!, current_quantity: 1 },
        base.line_items[1]!,
        { id: '3', sku: 'MUG', title: 'Mug', quantity: 2, current_quantity: 2, price: '12.50', tax_lines: [{ title: 'HST', price: '3.25' }] },
      ],
    };
    const { document, ledger } = orderAmendment(edited, ledgerOfInvoice(inv), 1, CONFIG, 'email-then-external-id');
    assert.equal(document?.debit?.crossReference, '820982911946154508-A1');
    assert.deepEqual(
      document?.debit?.lines.map((l) => [l.key, l.quantity, l.amount]),
      [
        ['item:3', '2', '25.00'],
        ['tax:HST', '1', '3.25'],
      ],
    );
    assert.deepEqual(
      document?.credit?.lines.map((l) => [l.key, l.quantity, l.unitSellingPrice, l.invoiceLineNumber]),
      [
        ['item:1', '1', '-25.00', 1],
        ['tax:HST', '1', '-2.93', 4],
      ],
    );
    // Same payload again: nothing more to do.
    assert.equal(orderAmendment(edited, ledger, 2, CONFIG, 'email-then-external-id').document, null);
  });

  it('credits a refund line by line (numbers in refund lines are exact strings) and ignores refunds that move no money', () => {
    const inv = orderInvoice(base, CONFIG, 'email-then-external-id');
    const cm = refundCreditMemo(
      {
        id: '555',
        order_id: base.id,
        processed_at: '2026-11-03T09:00:00-05:00',
        refund_line_items: [{ id: 'r1', line_item_id: '2', quantity: 2, subtotal: '14.66', total_tax: '1.91' }],
      },
      { id: base.id, name: '#9999', billTo: inv.billTo },
      ledgerOfInvoice(inv),
      CONFIG,
    );
    assert.deepEqual(
      cm?.lines.map((l) => [l.key, l.quantity, l.unitSellingPrice, l.invoiceLineNumber]),
      [
        ['item:2', '2', '-7.33', 2],
        ['tax:HST', '1', '-1.91', 4],
      ],
    );
    assert.equal(cm?.total, '-16.57');
    assert.equal(cm?.transactionDate, '2026-11-03');
    assert.equal(
      refundCreditMemo(
        { id: '556', order_id: base.id, refund_line_items: [{ id: 'r2', line_item_id: '2', quantity: 1, subtotal: 0, total_tax: '0.0' }] },
        { id: base.id, name: null, billTo: inv.billTo },
        ledgerOfInvoice(inv),
        CONFIG,
      ),
      null,
    );
  });

  it('invoices a sweep body (no tax or shipping lines) from its totals', () => {
    const sweep = order({
      total_price: '97.65',
      total_tax: '10.66',
      total_discounts: undefined,
      tax_lines: undefined,
      shipping_lines: undefined,
      total_shipping_price_set: { shop_money: { amount: '15.00', currency_code: 'CAD' } },
      line_items: order().line_items.map((l) => ({ ...l, tax_lines: undefined, discount_allocations: undefined })),
    });
    const inv = orderInvoice(sweep, CONFIG, 'email-then-external-id');
    assert.deepEqual(
      inv.lines.map((l) => [l.kind, l.amount]),
      [
        ['item', '50.00'],
        ['item', '21.99'],
        ['shipping', '15.00'],
        ['tax', '10.66'],
      ],
    );
    assert.equal(inv.total, '97.65');
  });
});
