import { canonicalJson } from "../../core/canonical";
import type { HandoverPoint, Place } from "../../db/schema";
import type { RoutingEngine } from "../../routing/engine";
import type { RouteLeg } from "./routes";
import { field } from "./text";

/** A hub as the node writes it into places: code, country and coordinates. */
export interface HubPlace {
  place: Place;
  /** As a COPY field (jsonb). */
  json: string;
  /** Canonical JSON, as fingerprints hash it. */
  canonical: string;
  gauges: readonly number[];
}

export class Places {
  private readonly byCode = new Map<string, HubPlace>();

  constructor(private readonly engine: RoutingEngine) {}

  of(code: string): HubPlace {
    let p = this.byCode.get(code);
    if (!p) {
      const hub = this.engine.hub(code);
      if (!hub) throw new Error(`unknown hub ${code}`);
      const place: Place = { hub: hub.code, country: hub.country, lat: hub.lat, lon: hub.lon };
      p = {
        place,
        json: field(JSON.stringify(place)),
        canonical: canonicalJson(place),
        gauges: hub.railGauges ?? [],
      };
      this.byCode.set(code, p);
    }
    return p;
  }

  /** The handover points the node writes when it issues a waybill over these legs. */
  points(legs: readonly RouteLeg[]): HandoverPoint[] {
    const points: HandoverPoint[] = [];
    legs.forEach((leg, i) => {
      const from = this.of(leg.from).place;
      const to = this.of(leg.to).place;
      if (from.country !== to.country) {
        points.push({
          kind: "border_crossing",
          afterLeg: i,
          place: to,
          note: `${from.country} → ${to.country}`,
        });
      }
      const next = legs[i + 1];
      if (!next) return;
      if (next.mode !== leg.mode) {
        points.push({
          kind: "transshipment",
          afterLeg: i,
          place: to,
          note: `${leg.mode} → ${next.mode} at ${leg.to}`,
        });
      } else if (leg.mode === "rail") {
        const a = this.of(leg.from).gauges;
        const b = this.of(next.to).gauges;
        if (a.length > 0 && b.length > 0 && !a.some((g) => b.includes(g))) {
          points.push({
            kind: "transshipment",
            afterLeg: i,
            place: to,
            note: `gauge change ${a.join("/")} → ${b.join("/")} mm`,
          });
        }
      }
    });
    return points;
  }
}
