import { MultiDirectedGraph } from "graphology";
import type { Gauge, HubAttrs, LinkAttrs, LinkRecord, NetworkData } from "./types";

/** The editable, inspectable form of the network: one node per hub, one edge per direction. */
export type NetworkGraph = MultiDirectedGraph<HubAttrs, LinkAttrs>;

/** Key of the edge that runs a bidirectional link backwards (`to` → `from`). */
const reverseKey = (linkId: string) => `${linkId}:r`;

function linkAttrs(l: LinkRecord, from: string, to: string): LinkAttrs {
  const countries = new Set([from.slice(0, 2), to.slice(0, 2), ...(l.transitCountries ?? [])]);
  return {
    linkId: l.id,
    from,
    to,
    mode: l.mode,
    distanceKm: l.distanceKm,
    travelHours:
      l.durationHours !== undefined && l.durationHours > 0
        ? l.durationHours
        : l.distanceKm / (l.speedKmh ?? 1),
    ...(l.mode === "rail" && l.gauge !== undefined ? { gauge: l.gauge as Gauge } : {}),
    maxWeightKg: l.maxWeightKg ?? Number.POSITIVE_INFINITY,
    forbiddenDangerousGoods: [...(l.forbiddenDangerousGoods ?? [])].sort(),
    fixedUsd: l.cost.fixedUsd,
    usdPerTonneKm: l.cost.usdPerTonneKm,
    emissionFactor: l.emissionFactor,
    ...(l.crossing !== undefined ? { crossing: l.crossing } : {}),
    countries: [...countries].sort(),
  };
}

/** Builds the graph model from validated network data. */
export function buildGraph(data: NetworkData): NetworkGraph {
  const graph: NetworkGraph = new MultiDirectedGraph<HubAttrs, LinkAttrs>();
  const transshipments = new Map(data.transshipments.map((t) => [t.hub, t]));
  for (const h of data.hubs) {
    const handling = data.handling.byHub[h.code] ?? data.handling.byKind[h.kind];
    if (!handling) throw new Error(`hub ${h.code}: no handling record`);
    const t = transshipments.get(h.code);
    graph.addNode(h.code, { ...h, handling, ...(t ? { transshipment: t } : {}) });
  }
  for (const l of data.links) {
    graph.addDirectedEdgeWithKey(l.id, l.from, l.to, linkAttrs(l, l.from, l.to));
    if (l.bidirectional) {
      graph.addDirectedEdgeWithKey(reverseKey(l.id), l.to, l.from, linkAttrs(l, l.to, l.from));
    }
  }
  return graph;
}
