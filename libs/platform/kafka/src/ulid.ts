import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
const lastRandom = Buffer.alloc(10);

/** Random bytes drawn from the system 1 KiB at a time: one call per id costs more than the rest of the id (hot paths make one per record). */
const pool = Buffer.allocUnsafe(1_024);
let poolAt = pool.length;

/** 40 bits (5 bytes from `at`) as 8 Crockford base32 digits, most significant first. */
function base32of40(b: Buffer, at: number): string {
  let n = b[at]! * 2 ** 32 + (((b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) | b[at + 4]!) >>> 0);
  let s = '';
  for (let i = 0; i < 8; i++) {
    s = ALPHABET[n % 32]! + s;
    n = Math.floor(n / 32);
  }
  return s;
}

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
    if (poolAt + 10 > pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    pool.copy(lastRandom, 0, poolAt, poolAt + 10);
    poolAt += 10;
  }
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time + base32of40(lastRandom, 0) + base32of40(lastRandom, 5);
}
