import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from "geojson";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";

/**
 * The part of the world the network's hubs lie in (Duisburg to Xi'an, the Gulf to Siberia),
 * with a margin. Outlines are cut to it: Russia alone would otherwise stretch the map across
 * the antimeridian, and the page need not carry the Americas.
 */
const REGION = { west: -5, south: 10, east: 130, north: 68 };

type Ring = Position[];

/** Sutherland–Hodgman against one edge of the region. */
function clipEdge(
  ring: Ring,
  inside: (p: Position) => boolean,
  cut: (a: Position, b: Position) => Position,
): Ring {
  const out: Ring = [];
  ring.forEach((cur, i) => {
    const prev = ring[(i + ring.length - 1) % ring.length] as Position;
    if (inside(cur)) {
      if (!inside(prev)) out.push(cut(prev, cur));
      out.push(cur);
    } else if (inside(prev)) out.push(cut(prev, cur));
  });
  return out;
}

const atLon =
  (lon: number) =>
  (a: Position, b: Position): Position => {
    const [ax = 0, ay = 0] = a;
    const [bx = 0, by = 0] = b;
    return [lon, ay + ((by - ay) * (lon - ax)) / (bx - ax)];
  };
const atLat =
  (lat: number) =>
  (a: Position, b: Position): Position => {
    const [ax = 0, ay = 0] = a;
    const [bx = 0, by = 0] = b;
    return [ax + ((bx - ax) * (lat - ay)) / (by - ay), lat];
  };

const round = (p: Position): Position => p.map((x) => Math.round(x * 1000) / 1000);

function clipRing(ring: Ring): Ring | null {
  let r = ring;
  r = clipEdge(r, (p) => (p[0] ?? 0) >= REGION.west, atLon(REGION.west));
  r = clipEdge(r, (p) => (p[0] ?? 0) <= REGION.east, atLon(REGION.east));
  r = clipEdge(r, (p) => (p[1] ?? 0) >= REGION.south, atLat(REGION.south));
  r = clipEdge(r, (p) => (p[1] ?? 0) <= REGION.north, atLat(REGION.north));
  if (r.length < 3) return null;
  const first = r[0] as Position;
  return [...r, first].map(round);
}

function clipPolygon(rings: Ring[]): Ring[] | null {
  const [outer, ...holes] = rings.map(clipRing);
  if (!outer) return null;
  return [outer, ...holes.filter((h): h is Ring => h !== null)];
}

function clipFeature(f: Feature): Feature<MultiPolygon> | null {
  const g = f.geometry;
  const polygons =
    g?.type === "Polygon" ? [g.coordinates] : g?.type === "MultiPolygon" ? g.coordinates : [];
  const kept = polygons.map(clipPolygon).filter((p): p is Ring[] => p !== null);
  if (kept.length === 0) return null;
  return {
    type: "Feature",
    id: f.id,
    properties: { name: String(f.properties?.name ?? "") },
    geometry: { type: "MultiPolygon", coordinates: kept },
  };
}

/** Natural Earth country outlines (world-atlas TopoJSON) as GeoJSON, cut to the region. */
export function regionOutlines(topologyJson: string): FeatureCollection<MultiPolygon | Polygon> {
  const topology = JSON.parse(topologyJson) as Topology<{ countries: GeometryCollection }>;
  const all = feature(topology, topology.objects.countries);
  return {
    type: "FeatureCollection",
    features: all.features.map(clipFeature).filter((f): f is Feature<MultiPolygon> => f !== null),
  };
}
