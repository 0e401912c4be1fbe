import { randomFillSync } from "node:crypto";

// Random bytes drawn from a refilled pool: one system call per 4 KiB instead of one per id.
const pool = Buffer.alloc(4096);
let used = pool.length;

/** `n` (≤ 4096) cryptographically random bytes; the view is valid until the next call. */
export function randomBytesPooled(n: number): Buffer {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const out = pool.subarray(used, used + n);
  used += n;
  return out;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * Prefixed, time-sortable identifier: `org_` + 10 chars of millisecond time + 16 random
 * chars (80 bits), Crockford base32, so ids sort by creation and paginate by id.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytesPooled(10);
  let rand = "";
  // 80 random bits → 16 base32 characters, 5 bits at a time.
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rand += CROCKFORD.charAt((acc >> bits) & 31);
    }
    acc &= (1 << bits) - 1;
  }
  return `${prefix}_${time}${rand}`;
}

export const ID_PATTERN = /^[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}$/;
