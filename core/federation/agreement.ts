import type { PartnerAgreement } from "../../db/schema/federation";
import type { Place } from "../../db/schema/marketplace";
import type { HandoverPoint } from "../../db/schema/waybills";
import type { HubRecord, LinkRecord } from "../../routing/types";

/**
 * Which waybills concern a partner. A waybill's geography is every country and Chinese
 * division its journey touches: origin, destination, each leg's ends, each handover point,
 * and the crossings and transit countries of the network link joining a leg's two hubs.
 */
export interface WaybillGeography {
  /** ISO alpha-2 codes, sorted, each once. */
  countries: string[];
  /** GB/T 2260 division codes of the hubs touched (six digits), sorted, each once. */
  regions: string[];
}

/** The journey as a waybill records it: what `waybillGeography` reads. */
export interface WaybillJourney {
  origin: Place;
  destination: Place;
  legs: readonly { from: Place; to: Place }[];
  points: readonly HandoverPoint[];
}

/** What of the routing network a waybill's geography needs (`ctx.network` is one). */
export interface NetworkLookup {
  hub(code: string): HubRecord | undefined;
  readonly data: {
    links: readonly LinkRecord[];
    crossings: readonly { id: string; countries: string[] }[];
  };
}

/** Countries the link(s) joining two hubs cross or pass through. */
function linkCountries(network: NetworkLookup, a: string, b: string): string[] {
  const out: string[] = [];
  for (const link of network.data.links) {
    const joins = (link.from === a && link.to === b) || (link.from === b && link.to === a);
    if (!joins) continue;
    out.push(...(link.transitCountries ?? []));
    const crossing = link.crossing && network.data.crossings.find((c) => c.id === link.crossing);
    if (crossing) out.push(...crossing.countries);
  }
  return out;
}

export function waybillGeography(
  network: NetworkLookup,
  journey: WaybillJourney,
): WaybillGeography {
  const countries = new Set<string>();
  const regions = new Set<string>();
  const touch = (place: Place) => {
    const hub = place.hub ? network.hub(place.hub) : undefined;
    const country = place.country ?? hub?.country;
    if (country) countries.add(country);
    if (hub?.divisionCode) regions.add(hub.divisionCode);
  };
  touch(journey.origin);
  touch(journey.destination);
  for (const leg of journey.legs) {
    touch(leg.from);
    touch(leg.to);
    if (leg.from.hub && leg.to.hub) {
      for (const c of linkCountries(network, leg.from.hub, leg.to.hub)) countries.add(c);
    }
  }
  for (const point of journey.points) touch(point.place);
  return { countries: [...countries].sort(), regions: [...regions].sort() };
}

/**
 * Whether a waybill concerns a partner: one of the agreement's countries, or a division under
 * one of its region prefixes, is on the journey. Empty lists match nothing.
 */
export function concernsPartner(
  agreement: Pick<PartnerAgreement, "countries" | "regions">,
  geography: WaybillGeography,
): boolean {
  if (agreement.countries.some((c) => geography.countries.includes(c))) return true;
  return agreement.regions.some((prefix) => geography.regions.some((r) => r.startsWith(prefix)));
}

/**
 * GB/T 2260 province-level codes (the first two digits of every division code): a region
 * prefix must start with one of these.
 */
const PROVINCE_CODES: ReadonlySet<string> = new Set([
  ...["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"],
  ...["41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"],
  ...["65", "71", "81", "82"],
]);

/** Why `prefix` is not a GB/T 2260 division code prefix (2, 4 or 6 digits), or null. */
export function regionPrefixProblem(prefix: string): string | null {
  if (!/^\d{2}(?:\d{2}){0,2}$/.test(prefix))
    return "must be 2, 4 or 6 digits (a GB/T 2260 code prefix)";
  if (!PROVINCE_CODES.has(prefix.slice(0, 2)))
    return "does not start with a GB/T 2260 province code";
  return null;
}
