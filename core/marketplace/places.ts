import type { Place } from "../../db/schema";
import type { RoutingEngine } from "../../routing/engine";
import { ValidationError } from "../errors";

export type PlaceInput = string | { address: string; lat: number; lon: number };

/**
 * A hub code becomes the hub of `network` (the node's, `ctx.network`) with its coordinates; an
 * unknown code is refused by name.
 */
export function resolvePlace(network: RoutingEngine, path: string, input: PlaceInput): Place {
  if (typeof input === "string") {
    const hub = network.hub(input);
    if (!hub) throw ValidationError.field(path, `unknown network location ${input}`);
    return { hub: hub.code, country: hub.country, lat: hub.lat, lon: hub.lon };
  }
  return { address: input.address, lat: input.lat, lon: input.lon };
}

/** A stretch's two ends resolved, refused by name as `<path>.from` / `<path>.to`. */
export function resolveEnds(
  network: RoutingEngine,
  path: string,
  stretch: { from: PlaceInput; to: PlaceInput },
): { from: Place; to: Place } {
  return {
    from: resolvePlace(network, `${path}.from`, stretch.from),
    to: resolvePlace(network, `${path}.to`, stretch.to),
  };
}

/** Great-circle distance in km; road and rail run longer, so callers apply a detour factor. */
export function distanceKm(a: Place, b: Place): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function placeLabel(p: Place): string {
  return p.hub ?? p.address ?? `${p.lat},${p.lon}`;
}
