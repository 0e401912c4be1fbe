import { and, asc, eq, gt, inArray, or, type SQL, sql } from "drizzle-orm";
import {
  type Waybill,
  type WaybillState,
  waybillEvents,
  waybillLegs,
  waybills,
} from "../../db/schema";
import type { Classification } from "../../db/schema/classification";
import type { Actor, Ctx } from "../context";
import { NotFoundError } from "../errors";
import { parseWaybillNumber } from "./number";
import { type WaybillEventView, type WaybillView, waybillEventView, waybillView } from "./view";

/** Its shipper, its carriers and admins see a waybill whole; regulators without sensitive fields. */
function waybillScope(actor: Actor): { filter: SQL | undefined; ceiling: Classification } | null {
  if (actor.kind === "admin" || actor.kind === "system") {
    return { filter: undefined, ceiling: "sensitive" };
  }
  if (actor.kind === "regulator") return { filter: undefined, ceiling: "internal" };
  if (actor.kind === "shipper") {
    return { filter: eq(waybills.shipperId, actor.orgId), ceiling: "sensitive" };
  }
  if (actor.kind === "carrier") {
    return {
      filter: or(
        eq(waybills.carrierId, actor.orgId),
        sql`exists (select 1 from ${waybillLegs} where ${waybillLegs.waybillNumber} = ${waybills.number} and ${waybillLegs.carrierId} = ${actor.orgId})`,
      ),
      ceiling: "sensitive",
    };
  }
  return null;
}

/** A waybill the actor may read, with the classification ceiling it reads at. */
export async function findVisibleWaybill(
  ctx: Ctx,
  rawNumber: string,
): Promise<{ waybill: Waybill; ceiling: Classification }> {
  const number = parseWaybillNumber(rawNumber);
  const scope = waybillScope(ctx.actor);
  const [waybill] = scope
    ? await ctx.db
        .select()
        .from(waybills)
        .where(and(eq(waybills.number, number), scope.filter))
    : [];
  if (!waybill || !scope) throw NotFoundError.of("waybill", number);
  return { waybill, ceiling: scope.ceiling };
}

export async function getWaybill(ctx: Ctx, input: { number: string }): Promise<WaybillView> {
  const { waybill, ceiling } = await findVisibleWaybill(ctx, input.number);
  const legs = await ctx.db
    .select()
    .from(waybillLegs)
    .where(eq(waybillLegs.waybillNumber, waybill.number));
  return waybillView(waybill, legs, ceiling, ctx.nodeCode);
}

export async function listWaybillEvents(
  ctx: Ctx,
  input: { number: string },
): Promise<{ items: WaybillEventView[]; nextCursor: string | null }> {
  const { waybill, ceiling } = await findVisibleWaybill(ctx, input.number);
  const rows = await ctx.db
    .select()
    .from(waybillEvents)
    .where(eq(waybillEvents.waybillNumber, waybill.number))
    .orderBy(asc(waybillEvents.occurredAt), asc(waybillEvents.id));
  return { items: rows.map((e) => waybillEventView(e, ceiling)), nextCursor: null };
}

export async function listWaybills(
  ctx: Ctx,
  input: { status?: WaybillState; cursor?: string; limit: number },
): Promise<{ items: WaybillView[]; nextCursor: string | null }> {
  const scope = waybillScope(ctx.actor);
  if (!scope) return { items: [], nextCursor: null };
  const rows = await ctx.db
    .select()
    .from(waybills)
    .where(
      and(
        scope.filter,
        input.status ? eq(waybills.status, input.status) : undefined,
        input.cursor ? gt(waybills.number, input.cursor) : undefined,
      ),
    )
    .orderBy(asc(waybills.number))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const legs = page.length
    ? await ctx.db
        .select()
        .from(waybillLegs)
        .where(
          inArray(
            waybillLegs.waybillNumber,
            page.map((w) => w.number),
          ),
        )
    : [];
  const last = page.at(-1);
  return {
    items: page.map((w) =>
      waybillView(
        w,
        legs.filter((l) => l.waybillNumber === w.number),
        scope.ceiling,
        ctx.nodeCode,
      ),
    ),
    nextCursor: rows.length > input.limit && last ? last.number : null,
  };
}
