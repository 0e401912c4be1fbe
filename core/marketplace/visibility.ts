import { and, eq, or, type SQL, sql } from "drizzle-orm";
import { bids, loads, type Mode, type Organization, organizations } from "../../db/schema";
import type { Actor, Ctx } from "../context";

export interface CarrierProfile {
  id: string;
  status: Organization["status"];
  modes: Mode[];
  qualifications: Organization["qualifications"];
}

export async function carrierProfile(ctx: Ctx, orgId: string): Promise<CarrierProfile | undefined> {
  const [row] = await ctx.db
    .select({
      id: organizations.id,
      status: organizations.status,
      modes: organizations.modes,
      qualifications: organizations.qualifications,
    })
    .from(organizations)
    .where(and(eq(organizations.id, orgId), eq(organizations.kind, "carrier")));
  return row;
}

/** A text[] literal built from bound parameters. */
export function textArray(values: readonly string[]): SQL {
  if (values.length === 0) return sql`'{}'::text[]`;
  return sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
}

/** Dangerous-goods classes a carrier's permit covers on `onDay` (YYYY-MM-DD). */
export function permittedClasses(q: Organization["qualifications"], onDay: string): string[] {
  const dg = q.dangerousGoods;
  return dg && dg.expiresOn >= onDay ? dg.classes : [];
}

/**
 * Which loads an actor may see, as a WHERE clause: admins and regulators all; shippers their
 * own; carriers the open loads they are qualified for (a mode they operate, a permit for the
 * dangerous-goods class) and any load they have bid on. Null: nothing at all.
 */
export function loadVisibility(actor: Actor, carrier?: CarrierProfile): SQL | undefined | null {
  if (actor.kind === "admin" || actor.kind === "regulator" || actor.kind === "system") {
    return undefined;
  }
  if (actor.kind === "shipper") return eq(loads.shipperId, actor.orgId);
  if (actor.kind === "carrier" && carrier) {
    const today = new Date().toISOString().slice(0, 10);
    const classes = permittedClasses(carrier.qualifications, today);
    const qualified =
      carrier.status === "verified"
        ? and(
            eq(loads.status, "open"),
            sql`${loads.modes} && ${textArray(carrier.modes)}`,
            classes.length > 0
              ? sql`(${loads.dgClass} is null or ${loads.dgClass} = any(${textArray(classes)}))`
              : sql`${loads.dgClass} is null`,
          )
        : undefined;
    const hasBid = sql`exists (select 1 from ${bids} where ${bids.loadId} = ${loads.id} and ${bids.carrierId} = ${carrier.id})`;
    return qualified ? or(qualified, hasBid) : hasBid;
  }
  return null;
}
