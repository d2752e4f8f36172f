export { Decimal, DecimalFormatError } from './decimal';
export { addAmounts, currencyDecimals, fromMinor, minorToDecimal, MoneyFormatError, prorate, sum, toMinor, toMinorRounded } from './money';
