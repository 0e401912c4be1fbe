import type { Cargo } from "../../db/schema";
import type { Random } from "./random";

/** HS codes that move west out of China, and east into it (raw materials, food, energy). */
const WESTBOUND: readonly (readonly [string, string])[] = [
  ["847130", "laptops"],
  ["851712", "mobile phones"],
  ["870323", "passenger cars"],
  ["620342", "cotton trousers"],
  ["640399", "footwear"],
  ["392690", "plastic articles"],
  ["730890", "steel structures"],
  ["940360", "wooden furniture"],
  ["854143", "solar modules"],
  ["843149", "excavator parts"],
];
const EASTBOUND: readonly (readonly [string, string])[] = [
  ["270900", "crude oil"],
  ["260300", "copper ores"],
  ["100199", "wheat"],
  ["110100", "wheat flour"],
  ["151211", "sunflower oil"],
  ["440710", "sawn softwood"],
  ["740311", "copper cathodes"],
  ["520100", "raw cotton"],
  ["080610", "fresh grapes"],
  ["720712", "steel billets"],
];

/** A consignment: goods by direction, weight by mode (a truck, or one to three containers). */
export function cargo(rng: Random, eastbound: boolean, rail: boolean): Cargo {
  const [hsCode, description] = rng.pick(eastbound ? EASTBOUND : WESTBOUND);
  const units = rail ? rng.between(1, 3) : 1;
  const weightKg = Math.round(
    units * (rail ? 12_000 + rng.next() * 14_000 : 6_000 + rng.next() * 19_000),
  );
  return {
    weightKg,
    volumeM3: Math.round((weightKg / 300) * (0.6 + rng.next() * 0.8)),
    packages: rng.between(1, 40) * units,
    hsCode,
    description,
  };
}
