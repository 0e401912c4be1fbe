import type { Mode, Qualifications } from "../../db/schema";
import {
  chinesePlate,
  creditCode,
  foreignPlate,
  registrationNumber,
  wagonNumber,
} from "./identifiers";
import { seededId } from "./ids";
import type { Random } from "./random";
import { WeightedTable } from "./random";
import { NAME_PARTS, REGIONS, type Region } from "./regions";

export interface SeedOrganization {
  id: string;
  kind: "shipper" | "carrier";
  name: string;
  country: string;
  creditCode: string | null;
  registrationNumber: string | null;
  divisionCode: string | null;
  contactName: string;
  contactPhone: string;
  contactEmail: string;
  modes: Mode[];
  qualifications: Qualifications;
  createdAt: number;
  region: Region;
}

export interface SeedVehicle {
  id: string;
  carrierId: string;
  mode: "road" | "rail";
  plate: string;
  capacityKg: number;
  capacityM3: number;
  gauge: 1435 | 1520 | null;
  createdAt: number;
}

export interface Parties {
  shippers: SeedOrganization[];
  carriers: SeedOrganization[];
  vehicles: SeedVehicle[];
  /** Each carrier's vehicle ids by mode, for bids. */
  fleet: Map<string, { road: string[]; rail: string[] }>;
}

const DAY_MS = 86_400_000;

function companyName(rng: Random, region: Region): string {
  if (region.country === "CN") {
    const p = NAME_PARTS.zh;
    return `${region.city}${rng.pick(p.core)}${rng.pick(p.trade)}${rng.pick(p.suffix)}`;
  }
  const p = NAME_PARTS.latin;
  const suffix = p.suffix[region.country] ?? "GmbH";
  return `${region.city} ${rng.pick(p.core)} ${rng.pick(p.trade)} ${suffix}`;
}

function qualifications(rng: Random, until: number, carrier: boolean): Qualifications {
  if (!carrier) return {};
  const expires = (years: number) =>
    new Date(until + (30 + rng.int(365 * years)) * DAY_MS).toISOString().slice(0, 10);
  const q: Qualifications = {
    operatingLicence: { number: `DL${rng.chars("0123456789", 10)}`, expiresOn: expires(3) },
    insurance: {
      cover: { amount: 1_000_000 * rng.between(1, 10), currency: "CNY" },
      expiresOn: expires(1),
    },
  };
  if (rng.chance(0.15)) {
    q.dangerousGoods = {
      permitNumber: `WX${rng.chars("0123456789", 8)}`,
      classes: rng.chance(0.5) ? ["3"] : ["3", "8", "9"],
      expiresOn: expires(2),
    };
  }
  return q;
}

/** One shipper or carrier, registered in a region drawn by weight, with valid identifiers. */
function organization(
  rng: Random,
  kind: SeedOrganization["kind"],
  region: Region,
  until: number,
  taken: Set<string>,
): SeedOrganization {
  const createdAt = until - (400 + rng.int(1500)) * DAY_MS;
  let code: string;
  do {
    code = region.division
      ? creditCode(rng, region.division)
      : registrationNumber(rng, region.country);
  } while (taken.has(`${region.country}:${code}`));
  taken.add(`${region.country}:${code}`);
  const modes: Mode[] =
    kind === "shipper"
      ? []
      : rng.chance(0.55)
        ? ["road"]
        : rng.chance(0.5)
          ? ["rail"]
          : ["road", "rail"];
  return {
    id: seededId(rng, "org", createdAt),
    kind,
    name: companyName(rng, region),
    country: region.country,
    creditCode: region.division ? code : null,
    registrationNumber: region.division ? null : code,
    divisionCode: region.division ?? null,
    contactName:
      region.country === "CN"
        ? `${rng.pick(["王", "李", "张", "刘", "马", "阿"])}经理`
        : "Dispatch desk",
    contactPhone:
      region.country === "CN"
        ? `+86 1${rng.chars("3456789", 1)}${rng.chars("0123456789", 9)}`
        : `+7 7${rng.chars("0123456789", 9)}`,
    contactEmail: `ops${rng.chars("0123456789", 6)}@example.com`,
    modes,
    qualifications: qualifications(rng, until, kind === "carrier"),
    createdAt,
    region,
  };
}

function vehicle(
  rng: Random,
  carrier: SeedOrganization,
  mode: "road" | "rail",
  taken: Set<string>,
): SeedVehicle {
  const gauge = mode === "rail" ? (carrier.country === "CN" ? 1435 : 1520) : null;
  let plate: string;
  do {
    if (mode === "rail") plate = wagonNumber(rng, gauge === 1435 ? 1435 : 1520);
    else if (carrier.region.plate) plate = chinesePlate(rng, ...carrier.region.plate);
    else plate = foreignPlate(rng, rng.between(1, 20));
  } while (taken.has(`${mode}:${plate}`));
  taken.add(`${mode}:${plate}`);
  const truck = mode === "road";
  return {
    id: seededId(rng, "veh", carrier.createdAt + DAY_MS),
    carrierId: carrier.id,
    mode,
    plate,
    capacityKg: truck
      ? rng.pick([18_000, 25_000, 31_000, 40_000])
      : rng.pick([60_000, 69_000, 70_000]),
    capacityM3: truck ? rng.pick([45, 67, 86, 100]) : rng.pick([88, 120, 138]),
    gauge,
    createdAt: carrier.createdAt + DAY_MS,
  };
}

/** How many organisations a history of `waybills` waybills keeps busy. */
export function partyCounts(waybills: number): { shippers: number; carriers: number } {
  const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(x)));
  return { shippers: clamp(waybills / 400, 12, 3000), carriers: clamp(waybills / 1500, 8, 800) };
}

/** Shippers, carriers and the carriers' fleets, all verified. */
export function makeParties(rng: Random, waybills: number, until: number): Parties {
  const table = new WeightedTable(
    REGIONS,
    REGIONS.map((r) => r.weight),
  );
  const taken = new Set<string>();
  const counts = partyCounts(waybills);
  const make = (kind: SeedOrganization["kind"], n: number) =>
    Array.from({ length: n }, () => organization(rng, kind, table.pick(rng), until, taken));
  const shippers = make("shipper", counts.shippers);
  const carriers = make("carrier", counts.carriers);
  const vehicles: SeedVehicle[] = [];
  const fleet = new Map<string, { road: string[]; rail: string[] }>();
  for (const c of carriers) {
    const own = { road: [] as string[], rail: [] as string[] };
    for (const mode of c.modes) {
      if (mode !== "road" && mode !== "rail") continue;
      for (let i = rng.between(2, 12); i > 0; i--) {
        const v = vehicle(rng, c, mode, taken);
        vehicles.push(v);
        own[mode].push(v.id);
      }
    }
    fleet.set(c.id, own);
  }
  return { shippers, carriers, vehicles, fleet };
}
