import type { RoutingEngine } from "../../routing/engine";
import { type Lane, lane } from "./routes";

/** How much freight each hub sends or receives, relative to the others (rough, by city size and trade). */
const CHINA: Record<string, number> = {
  "CN-URC": 10,
  "CN-XIY": 8,
  "CN-LHW": 6,
  "CN-KHG": 4,
  "CN-KHR": 4,
  "CN-AKS": 2,
  "CN-YIN": 2,
  "CN-INC": 2,
  "CN-XNN": 2,
  "CN-HMI": 1,
  "CN-KRL": 1,
  "CN-KUY": 1,
  "CN-BAJ": 1,
  "CN-ZHY": 1,
};
const ABROAD: Record<string, number> = {
  "KZ-ALA": 8,
  "UZ-TAS": 6,
  "RU-MOW": 5,
  "DE-DUI": 4,
  "KZ-NQZ": 3,
  "KG-FRU": 3,
  "KG-OSS": 2,
  "PK-ISB": 2,
  "PL-MAL": 2,
  "TR-IST": 2,
  "KZ-DOS": 1,
  "RU-YEK": 1,
  "BY-MSQ": 1,
  "HU-BUD": 1,
  "GE-TBS": 1,
  "AZ-ALT": 1,
  "PK-SST": 1,
  "PK-GWD": 1,
  "KZ-AKU": 1,
};

export interface WeightedLane {
  lane: Lane;
  weight: number;
}

/**
 * The busiest origin–destination pairs: westbound exports weigh most, imports about a third of
 * that, domestic trunk lanes between north-western cities a little. At most `limit` lanes.
 */
export function busiestLanes(engine: RoutingEngine, limit: number): WeightedLane[] {
  const pairs: { from: string; to: string; weight: number }[] = [];
  for (const [cn, a] of Object.entries(CHINA)) {
    for (const [far, b] of Object.entries(ABROAD)) {
      pairs.push({ from: cn, to: far, weight: a * b });
      pairs.push({ from: far, to: cn, weight: (a * b) / 3 });
    }
    for (const [other, b] of Object.entries(CHINA)) {
      if (other !== cn) pairs.push({ from: cn, to: other, weight: (a * b) / 4 });
    }
  }
  pairs.sort((x, y) => y.weight - x.weight || (x.from + x.to < y.from + y.to ? -1 : 1));
  const out: WeightedLane[] = [];
  for (const p of pairs.slice(0, limit)) {
    const found = lane(engine, p.from, p.to);
    if (found) out.push({ lane: found, weight: p.weight });
  }
  return out;
}
