import { and, eq, or, type SQL, sql } from "drizzle-orm";
import {
  type CarrierStanding,
  carrierHasBid,
  carrierStanding,
  type FleetUnit,
} from "../../db/queries/marketplace";
import { bids, loads, type Mode, type Organization } from "../../db/schema";
import type { Actor, Clock, Ctx } from "../context";

export interface CarrierProfile extends CarrierStanding {
  /** The named vehicles, when asked for: fetched with the profile in the same statement. */
  fleet?: FleetUnit[];
}

/** A carrier's standing: what decides which loads it sees and may bid on. */
export function carrierProfile(ctx: Ctx, orgId: string): Promise<CarrierProfile | undefined> {
  return carrierStanding(ctx.db, orgId);
}

/*
 * A carrier's visibility is written twice, on purpose: as SQL (`loadVisibility`) so listings
 * filter and page in the database, and in JS (`carrierSeesLoad`) so bidding judges the load it
 * has already locked without another query. Both read the same `Qualified` terms;
 * test/marketplace/visibility.test.ts runs both over every carrier, load and day and requires
 * the same answer.
 */

/** What opens a load to a carrier that has not bid on it. */
interface Qualified {
  modes: Mode[];
  /** Dangerous-goods classes its permit covers on the clock's day. */
  classes: string[];
}

/** Null for a carrier not verified: it sees only the loads it has bid on. */
function qualifiedTerms(carrier: CarrierProfile, clock: Clock): Qualified | null {
  if (carrier.status !== "verified") return null;
  return { modes: carrier.modes, classes: permittedClasses(carrier.qualifications, dayOf(clock)) };
}

/**
 * The carrier's side of `loadVisibility`, for a load already in hand: qualified for an open
 * load (a mode it operates, a permit for the class), or a bidder on it.
 */
export async function carrierSeesLoad(
  ctx: Ctx,
  carrier: CarrierProfile,
  load: { id: string; status: string; modes: Mode[]; dgClass: string | null },
): Promise<boolean> {
  const terms = qualifiedTerms(carrier, ctx.clock);
  const qualified =
    terms !== null &&
    load.status === "open" &&
    load.modes.some((m) => terms.modes.includes(m)) &&
    (load.dgClass === null || terms.classes.includes(load.dgClass));
  return qualified || carrierHasBid(ctx.db, load.id, carrier.id);
}

/** A text[] literal built from bound parameters. */
function textArray(values: readonly string[]): SQL {
  if (values.length === 0) return sql`'{}'::text[]`;
  return sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
}

/** The clock's day (YYYY-MM-DD, UTC): permits are dated to the day. */
function dayOf(clock: Clock): string {
  return clock.now().toISOString().slice(0, 10);
}

/** Dangerous-goods classes a carrier's permit covers on `onDay` (YYYY-MM-DD). */
export function permittedClasses(q: Organization["qualifications"], onDay: string): string[] {
  const dg = q.dangerousGoods;
  return dg && dg.expiresOn >= onDay ? dg.classes : [];
}

/**
 * Which loads an actor may see, as a WHERE clause: admins and regulators all; shippers their
 * own; carriers the open loads they are qualified for (a mode they operate, a permit for the
 * dangerous-goods class, a permit valid on the clock's day) and any load they have bid on.
 * Null: nothing at all.
 */
export function loadVisibility(
  actor: Actor,
  clock: Clock,
  carrier?: CarrierProfile,
): SQL | undefined | null {
  if (actor.kind === "admin" || actor.kind === "regulator" || actor.kind === "system") {
    return undefined;
  }
  if (actor.kind === "shipper") return eq(loads.shipperId, actor.orgId);
  if (actor.kind === "carrier" && carrier) {
    const terms = qualifiedTerms(carrier, clock);
    const qualified = terms
      ? and(
          eq(loads.status, "open"),
          sql`${loads.modes} && ${textArray(terms.modes)}`,
          terms.classes.length > 0
            ? sql`(${loads.dgClass} is null or ${loads.dgClass} = any(${textArray(terms.classes)}))`
            : sql`${loads.dgClass} is null`,
        )
      : undefined;
    const hasBid = sql`exists (select 1 from ${bids} where ${bids.loadId} = ${loads.id} and ${bids.carrierId} = ${carrier.id})`;
    return qualified ? or(qualified, hasBid) : hasBid;
  }
  return null;
}
