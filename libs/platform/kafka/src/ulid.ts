import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
let lastRandom = Buffer.alloc(10);

/** Four bytes, big-endian, as an unsigned 32-bit number. */
const word = (a: number, b: number, c: number, d: number): number => ((a << 24) >>> 0) + ((b << 16) | (c << 8) | d);

/** A ULID: 48-bit millisecond time + 80 random bits, Crockford base32; monotonic within one millisecond. */
export function ulid(now = Date.now()): string {
  if (now === lastTime) {
    // increment the random part so ids stay ordered within a millisecond
    for (let i = 9; i >= 0; i--) {
      lastRandom[i] = (lastRandom[i]! + 1) & 0xff;
      if (lastRandom[i] !== 0) break;
    }
  } else {
    lastTime = now;
    lastRandom = randomBytes(10);
  }
  // Plain number arithmetic (no BigInt): the 80 random bits as two 40-bit halves (exact in a double), 8 digits each.
  const r = lastRandom;
  const high = r[0]! * 2 ** 32 + word(r[1]!, r[2]!, r[3]!, r[4]!);
  const low = r[5]! * 2 ** 32 + word(r[6]!, r[7]!, r[8]!, r[9]!);
  return base32(now, 10) + base32(high, 8) + base32(low, 8);
}

/** The `digits` lowest base-32 digits of a non-negative integer below 2^53, most significant first. */
function base32(n: number, digits: number): string {
  let out = '';
  for (let i = digits - 1; i >= 0; i--) out += ALPHABET[Math.floor(n / 2 ** (5 * i)) % 32];
  return out;
}
