import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal } from '@mlc/platform-decimal';
import { currencyDecimals, fromMinor, toMinor } from './money';
import { ledgerOfInvoice, orderInvoice, refundCreditMemo, type AccountingConfig } from './map-order';
import type { ShopifyOrder, ShopifyRefund } from './shopify.payloads';
import { TEST_ACCOUNTING as CONFIG } from './fixtures/accounting';

/** One fixed seed (FC_SEED overrides); a failure message names the seed and path to replay it. */
const SEED = Number(process.env['FC_SEED'] ?? 20261207);
const check = <T>(prop: fc.IProperty<T>, numRuns = 200): void => fc.assert(prop, { seed: SEED, numRuns });

/** 0-, 2- and 3-decimal currencies (ISO 4217). */
const currency = fc.constantFrom('JPY', 'KRW', 'USD', 'EUR', 'CAD', 'KWD', 'BHD');

/** Shopify writes amounts at the currency's scale or with a trailing zero more ("1200.0" for JPY). */
const text = (minor: bigint, cur: string, extraZero: boolean): string => {
  const s = fromMinor(minor, cur);
  return extraZero ? (s.includes('.') ? `${s}0` : `${s}.0`) : s;
};

interface Shape {
  cur: string;
  extraZero: boolean;
  items: { price: bigint; qty: number; discount: bigint; tax: bigint; refundQty: number; refundDiscount: bigint; refundTax: bigint }[];
  shipping: bigint;
  shippingTax: bigint;
  /** What total_price adds beyond the lines (a payload whose figures do not add up): the invoice's rounding line. */
  drift: bigint;
  refundShipping: boolean;
  /** Shopify's refund transaction against the refunded lines: null for none, else the difference paid back. */
  paidDelta: bigint | null;
}

const shape: fc.Arbitrary<Shape> = fc
  .record({
    cur: currency,
    extraZero: fc.boolean(),
    items: fc.array(
      fc.record({
        price: fc.bigInt({ min: 0n, max: 10n ** 7n }),
        qty: fc.integer({ min: 1, max: 12 }),
        discountPermille: fc.integer({ min: 0, max: 1000 }),
        tax: fc.bigInt({ min: 0n, max: 10n ** 5n }),
        refundPermille: fc.integer({ min: 0, max: 1000 }),
        refundTax: fc.bigInt({ min: 0n, max: 10n ** 4n }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    shipping: fc.bigInt({ min: 0n, max: 10n ** 5n }),
    shippingTax: fc.bigInt({ min: 0n, max: 10n ** 4n }),
    drift: fc.oneof(fc.constant(0n), fc.bigInt({ min: -3n, max: 3n })),
    refundShipping: fc.boolean(),
    paidDelta: fc.option(fc.bigInt({ min: -5n, max: 5n }), { nil: null }),
  })
  .map((r) => ({
    ...r,
    items: r.items.map((i) => {
      const gross = i.price * BigInt(i.qty);
      const refundQty = Math.floor((i.qty * i.refundPermille) / 1000);
      const refundGross = i.price * BigInt(refundQty);
      return {
        price: i.price,
        qty: i.qty,
        discount: (gross * BigInt(i.discountPermille)) / 1000n,
        tax: i.tax,
        refundQty,
        refundDiscount: (refundGross * BigInt(i.discountPermille)) / 1000n,
        refundTax: refundQty ? i.refundTax : 0n,
      };
    }),
  }));

function orderOf(s: Shape): { order: ShopifyOrder; total: bigint } {
  const t = (m: bigint) => text(m, s.cur, s.extraZero);
  const lines = s.items.reduce((sum, i) => sum + i.price * BigInt(i.qty) - i.discount + i.tax, 0n);
  const total = lines + s.shipping + s.shippingTax + s.drift;
  const order = {
    id: '820982911946154508',
    name: '#1001',
    currency: s.cur,
    created_at: '2026-11-02T10:15:00-05:00',
    processed_at: '2026-11-02T10:15:00-05:00',
    total_price: t(total),
    taxes_included: false,
    line_items: s.items.map((i, n) => ({
      id: String(n + 1),
      sku: `SKU-${n + 1}`,
      title: `Item ${n + 1}`,
      quantity: i.qty,
      current_quantity: i.qty,
      price: t(i.price),
      discount_allocations: i.discount ? [{ amount: t(i.discount) }] : [],
      tax_lines: [{ title: 'VAT', price: t(i.tax) }],
    })),
    shipping_lines: [{ title: 'Standard', price: t(s.shipping), tax_lines: [{ title: 'VAT', price: t(s.shippingTax) }] }],
    refunds: [],
  } as unknown as ShopifyOrder;
  return { order, total };
}

function refundOf(s: Shape): { refund: ShopifyRefund; parts: bigint } {
  const t = (m: bigint) => text(m, s.cur, s.extraZero);
  const refunded = s.items.map((i, n) => ({ n, i })).filter(({ i }) => i.refundQty > 0);
  const items = refunded.reduce((sum, { i }) => sum + i.price * BigInt(i.refundQty) - i.refundDiscount + i.refundTax, 0n);
  const ship = s.refundShipping ? s.shipping + s.shippingTax : 0n;
  const parts = items + ship;
  const paid = s.paidDelta === null ? null : parts + s.paidDelta < 0n ? 0n : parts + s.paidDelta;
  const refund: ShopifyRefund = {
    id: '909',
    order_id: '820982911946154508',
    processed_at: '2026-11-03T09:00:00-05:00',
    refund_line_items: refunded.map(({ n, i }) => ({
      id: `r${n}`,
      line_item_id: String(n + 1),
      quantity: i.refundQty,
      subtotal: t(i.price * BigInt(i.refundQty) - i.refundDiscount),
      total_tax: t(i.refundTax),
    })),
    refund_shipping_lines: s.refundShipping
      ? [
          {
            subtotal_amount_set: { shop_money: { amount: t(s.shipping), currency_code: s.cur } },
            tax_amount_set: { shop_money: { amount: t(s.shippingTax), currency_code: s.cur } },
          },
        ]
      : [],
    transactions: paid === null ? [] : [{ kind: 'refund', status: 'success', amount: t(paid) }],
  } as unknown as ShopifyRefund;
  return { refund, parts: paid ?? parts };
}

/** Every amount is exact at the currency's scale and each line is quantity × unit price to the last digit. */
function assertLinesExact(lines: { quantity: string; unitSellingPrice: string; amount: string }[], cur: string): void {
  for (const l of lines) {
    assert.equal(fromMinor(toMinor(l.amount, cur), cur), l.amount, `${l.amount} written at ${currencyDecimals(cur)} decimals`);
    assert.ok(Decimal.parse(l.quantity).mul(l.unitSellingPrice).eq(l.amount), `${l.quantity} × ${l.unitSellingPrice} = ${l.amount}`);
  }
}

describe('money mapping Shopify → Fusion receivables (properties)', () => {
  it('property: an invoice bills total_price to the last minor unit, its lines add up to it, each line is quantity × price', () => {
    check(
      fc.property(shape, (s) => {
        const { order, total } = orderOf(s);
        const inv = orderInvoice(order, CONFIG, 'email-then-external-id');
        assert.equal(toMinor(inv.total, s.cur), total);
        assert.equal(inv.total, fromMinor(total, s.cur));
        assert.equal(
          inv.lines.reduce((sum, l) => sum + toMinor(l.amount, s.cur), 0n),
          total,
          'lines add up to the total',
        );
        assert.equal(
          inv.lines.some((l) => l.kind === 'rounding'),
          s.drift !== 0n,
          'a rounding line only for a payload that does not add up',
        );
        assertLinesExact(inv.lines, s.cur);
      }),
    );
  });

  it('property: a credit memo credits exactly what Shopify paid back (or the refunded lines), its lines add up to it', () => {
    check(
      fc.property(shape, (s) => {
        const { order } = orderOf(s);
        const inv = orderInvoice(order, CONFIG, 'email-then-external-id');
        const { refund, parts } = refundOf(s);
        const memo = refundCreditMemo(refund, { id: order.id, name: order.name ?? null, billTo: inv.billTo }, ledgerOfInvoice(inv), CONFIG);
        if (memo === null) {
          assert.equal(parts, 0n, 'only a refund that moves nothing has no memo');
          return;
        }
        assert.equal(toMinor(memo.total, s.cur), -parts);
        assert.equal(
          memo.lines.reduce((sum, l) => sum + toMinor(l.amount, s.cur), 0n),
          -parts,
          'lines add up to the total',
        );
        assertLinesExact(memo.lines, s.cur);
      }),
    );
  });

  it('property: invoicing the same order in any currency scale never drifts when amounts repeat (0.1 × n)', () => {
    check(
      fc.property(currency, fc.integer({ min: 1, max: 200 }), (cur, n) => {
        const unit = 10n ** BigInt(Math.max(0, currencyDecimals(cur) - 1)); // 0.1 (or 1 for JPY)
        const s: Shape = {
          cur,
          extraZero: false,
          items: Array.from({ length: 1 }, () => ({ price: unit, qty: n, discount: 0n, tax: 0n, refundQty: 0, refundDiscount: 0n, refundTax: 0n })),
          shipping: 0n,
          shippingTax: 0n,
          drift: 0n,
          refundShipping: false,
          paidDelta: null,
        };
        const inv = orderInvoice(orderOf(s).order, CONFIG, 'email-then-external-id');
        assert.ok(Decimal.parse(inv.total).eq(Decimal.parse(fromMinor(unit, cur)).mul(n)));
      }),
      100,
    );
  });
});
