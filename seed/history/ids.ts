import type { Random } from "./random";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * An id shaped like the node's own (`org_` + 10 characters of millisecond time + 16 random, all
 * Crockford base32), the random part from the seeded generator: ids sort by creation time as
 * the node's do, and the same seed gives the same ids.
 */
export function seededId(rng: Random, prefix: string, at: number): string {
  let time = "";
  let t = at;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  return `${prefix}_${time}${rng.chars(CROCKFORD, 16)}`;
}
