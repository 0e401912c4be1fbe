import { asc } from "drizzle-orm";
import { upsertLinkStatus } from "../../db/queries/routing";
import { networkLinkStatus } from "../../db/schema";
import type { RoutingEngine } from "../../routing/engine";
import type { Corridor, HubRecord, Mode } from "../../routing/types";
import { recordAudit } from "../audit/append";
import { type Ctx, isAdmin } from "../context";
import { ForbiddenError, NotFoundError } from "../errors";
import { reportSetup } from "../reports/setup";
import { withTransaction } from "../transaction";

/**
 * Loads the admins' link status overrides into the engine. Every query does this first, so a
 * change made through any node process applies to the next query, and survives restarts.
 */
export async function syncLinkStatuses(ctx: Ctx, engine: RoutingEngine): Promise<void> {
  const rows = await ctx.db
    .select({
      linkId: networkLinkStatus.linkId,
      status: networkLinkStatus.status,
      until: networkLinkStatus.until,
    })
    .from(networkLinkStatus)
    .orderBy(asc(networkLinkStatus.linkId));
  engine.setLinkStatuses(rows);
}

export type HubView = Pick<
  HubRecord,
  "code" | "name" | "nameZh" | "country" | "lat" | "lon" | "kind" | "modes"
> & { divisionCode: string | null; railGauges: number[] };

export function listHubs(engine: RoutingEngine): HubView[] {
  return [...engine.data.hubs]
    .sort((a, b) => (a.code < b.code ? -1 : 1))
    .map((h) => ({
      code: h.code,
      name: h.name,
      nameZh: h.nameZh,
      country: h.country,
      lat: h.lat,
      lon: h.lon,
      kind: h.kind,
      modes: h.modes,
      divisionCode: h.divisionCode ?? null,
      railGauges: h.railGauges ?? [],
    }));
}

export interface LinkView {
  id: string;
  from: string;
  to: string;
  mode: Mode;
  distanceKm: number;
  gauge: number | null;
  bidirectional: boolean;
  crossing: string | null;
  transitCountries: string[];
  status: "open" | "closed";
  closedUntil: string | null;
}

export async function listLinks(ctx: Ctx, engine: RoutingEngine): Promise<LinkView[]> {
  await syncLinkStatuses(ctx, engine);
  const now = ctx.clock.now();
  return [...engine.data.links]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((l) => ({
      id: l.id,
      from: l.from,
      to: l.to,
      mode: l.mode,
      distanceKm: l.distanceKm,
      gauge: l.mode === "rail" ? (l.gauge ?? null) : null,
      bidirectional: l.bidirectional ?? false,
      crossing: l.crossing ?? null,
      transitCountries: l.transitCountries ?? [],
      ...engine.linkStatus(l.id, now),
    }));
}

/** Admin: opens or closes a link (optionally until a time); new queries see it at once. */
export async function setLinkStatus(
  ctx: Ctx,
  input: {
    engine: RoutingEngine;
    linkId: string;
    status: "open" | "closed";
    until?: string | null;
    reason?: string;
  },
): Promise<LinkView> {
  if (!isAdmin(ctx.actor)) throw new ForbiddenError("only an admin may change a link's status");
  const { engine, linkId } = input;
  if (!engine.hasLink(linkId)) throw NotFoundError.of("link", linkId);
  const until = input.status === "closed" && input.until ? new Date(input.until) : null;
  await withTransaction(ctx, async (tx) => {
    const row = {
      linkId,
      status: input.status,
      until,
      reason: input.reason ?? null,
      updatedAt: tx.clock.now(),
    };
    await upsertLinkStatus(tx.db, row);
    recordAudit(tx, {
      action: "network.link_status_set",
      entityType: "network_link",
      entityId: linkId,
      data: { status: input.status, until: until?.toISOString() ?? null, reason: row.reason },
    });
  });
  const links = await listLinks(ctx, engine);
  const view = links.find((l) => l.id === linkId);
  if (!view) throw NotFoundError.of("link", linkId);
  return view;
}

export type CorridorView = Pick<Corridor, "id" | "name" | "nameZh" | "links" | "hubs" | "source">;

/** The named corridors reports group by, in the data's order (which decides overlaps). */
export function listCorridors(ctx: Ctx): CorridorView[] {
  return reportSetup(ctx).corridors.map(({ id, name, nameZh, links, hubs, source }) => ({
    id,
    name,
    nameZh,
    links,
    hubs,
    source,
  }));
}
