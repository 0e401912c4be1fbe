/** Element-wise sum of fixed-bucket histograms. */
export function mergeHistograms(into: number[], add: readonly number[]): number[] {
  add.forEach((n, i) => {
    into[i] = (into[i] ?? 0) + n;
  });
  return into;
}

/**
 * The q-quantile of a histogram, interpolated linearly inside its bucket; in the open last
 * bucket, its lower edge. Null for an empty histogram.
 */
export function quantile(
  hist: readonly number[],
  edges: readonly number[],
  q: number,
): number | null {
  const total = hist.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    const n = hist[i] ?? 0;
    const lo = edges[i] ?? 0;
    const hi = edges[i + 1];
    if (n > 0 && seen + n >= target) {
      if (hi === undefined) return lo;
      return lo + ((target - seen) / n) * (hi - lo);
    }
    seen += n;
  }
  return edges.at(-1) ?? null;
}
