/** Money for the accounting rules: the one decimal type of the workspace (`@mlc/platform-decimal`), re-exported. */
export { addAmounts, currencyDecimals, Decimal, fromMinor, MoneyFormatError, prorate, sum, toMinor } from '@mlc/platform-decimal';
