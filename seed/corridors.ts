import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Corridor } from "../routing/types";

/** The named corridors reports group by (`seed/network/corridors.json`). */
export function loadSeedCorridors(): Corridor[] {
  const file = join(import.meta.dirname, "network", "corridors.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { corridors: Corridor[] }).corridors;
}
