import type { HubRecord, LinkRecord, NetworkData } from "./types";

/** Mean Earth radius (IUGG), km. */
const EARTH_RADIUS_KM = 6371.0088;

/**
 * A link longer than this many times the great circle between its hubs is flagged unless its
 * record says why (`detourReason`): a mountain road, a sea lane around a peninsula.
 */
export const DETOUR_FLAG_RATIO = 2.2;

/** Rounding slack, km: distances are published to the kilometre or tenth of one. */
const SLACK_KM = 0.5;

/** Great-circle (haversine) distance between two hubs, km. */
export function greatCircleKm(a: Pick<HubRecord, "lat" | "lon">, b: typeof a): number {
  const r = Math.PI / 180;
  const dLat = (b.lat - a.lat) * r;
  const dLon = (b.lon - a.lon) * r;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A link much longer than the great circle between its hubs, with no reason given. */
export interface DetourFlag {
  linkId: string;
  distanceKm: number;
  greatCircleKm: number;
  /** distanceKm / greatCircleKm, to two decimals. */
  ratio: number;
}

export interface GeometryReport {
  /** Links shorter than the great circle between their hubs: impossible, refused by name. */
  refused: string[];
  /** Links over `DETOUR_FLAG_RATIO` × the great circle without a `detourReason`. */
  flags: DetourFlag[];
}

/**
 * Checks every link's length against the great circle between its end hubs. Links whose hubs are
 * unknown are skipped (the structural check names them).
 */
export function checkLinkGeometry(data: Pick<NetworkData, "hubs" | "links">): GeometryReport {
  const hubs = new Map(data.hubs.map((h) => [h.code, h]));
  const report: GeometryReport = { refused: [], flags: [] };
  for (const link of data.links) {
    const from = hubs.get(link.from);
    const to = hubs.get(link.to);
    if (!from || !to || !(link.distanceKm > 0)) continue;
    checkLink(link, greatCircleKm(from, to), report);
  }
  return report;
}

function checkLink(link: LinkRecord, gcKm: number, report: GeometryReport): void {
  const ratio = Math.round((link.distanceKm / gcKm) * 100) / 100;
  if (link.distanceKm + SLACK_KM < gcKm) {
    report.refused.push(
      `link ${link.id}: distanceKm ${link.distanceKm} is shorter than the great circle ` +
        `${link.from}–${link.to} (${gcKm.toFixed(1)} km)`,
    );
  } else if (link.distanceKm > DETOUR_FLAG_RATIO * gcKm && !link.detourReason) {
    report.flags.push({
      linkId: link.id,
      distanceKm: link.distanceKm,
      greatCircleKm: Math.round(gcKm * 10) / 10,
      ratio,
    });
  }
}

/** One line per flag, e.g. `link D-X-Y: 900 km is 2.45× the great circle (367.3 km)`. */
export function describeDetourFlag(f: DetourFlag): string {
  return (
    `link ${f.linkId}: ${f.distanceKm} km is ${f.ratio}× the great circle (${f.greatCircleKm} km)` +
    " and gives no detourReason"
  );
}
