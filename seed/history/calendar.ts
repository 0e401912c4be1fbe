import type { Random } from "./random";
import { WeightedTable } from "./random";

const DAY_MS = 86_400_000;

/** Chinese New Year (UTC dates): freight peaks in the weeks before it and slumps after. */
const NEW_YEAR = ["2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26"].map((d) =>
  Date.parse(`${d}T00:00:00Z`),
);

/** Relative volume by calendar month: a February trough and an autumn peak. */
const MONTH_WEIGHT = [1.0, 0.8, 1.0, 1.02, 1.04, 1.0, 0.96, 1.0, 1.18, 1.25, 1.22, 1.08];

/** How busy day `t` (UTC midnight) is compared with an ordinary day. */
function dayWeight(t: number): number {
  const date = new Date(t);
  let w = MONTH_WEIGHT[date.getUTCMonth()] ?? 1;
  for (const ny of NEW_YEAR) {
    const days = (t - ny) / DAY_MS;
    if (days >= -28 && days < 0)
      w *= 1.35; // shippers move goods before the holiday
    else if (days >= 0 && days < 15)
      w *= 0.45; // the holiday itself
    else if (days >= 15 && days < 25) w *= 0.8;
  }
  if (date.getUTCDay() === 0) w *= 0.7;
  return w;
}

/** Draws instants over the `days` days before `until`, weighted by season. */
export class Season {
  private readonly table: WeightedTable<number>;

  constructor(until: Date, days = 365) {
    const end = Math.floor(until.getTime() / DAY_MS) * DAY_MS;
    const starts: number[] = [];
    for (let i = days; i >= 1; i--) starts.push(end - i * DAY_MS);
    this.table = new WeightedTable(starts, starts.map(dayWeight));
  }

  /** `n` instants (ms since the epoch), sorted. */
  sample(rng: Random, n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const day = this.table.pick(rng);
      // Working hours are busier: two thirds of the day's traffic between 06:00 and 18:00 (UTC+6).
      const hour = rng.chance(0.66) ? rng.next() * 12 : 12 + rng.next() * 12;
      out[i] = day + Math.floor(hour * 3_600_000);
    }
    return out.sort();
  }
}
