import { and, asc, eq, gt, gte, lte, type SQL, sql } from "drizzle-orm";
import { type Load, type LoadStatus, loads, type Mode } from "../../db/schema";
import type { Ctx } from "../context";
import { NotFoundError } from "../errors";
import { toPage } from "../pagination";
import { type LoadView, loadView } from "./views";
import { carrierProfile, loadVisibility } from "./visibility";

/** The SQL half of load visibility (visibility.ts says why there is a JS half too). */
async function visibilityOf(ctx: Ctx): Promise<SQL | undefined | null> {
  const actor = ctx.actor;
  const carrier = actor.kind === "carrier" ? await carrierProfile(ctx, actor.orgId) : undefined;
  return loadVisibility(actor, ctx.clock, carrier);
}

/** A load as the actor may see it; loads the actor may not see do not exist. */
export async function findVisibleLoad(ctx: Ctx, id: string): Promise<Load> {
  const visible = await visibilityOf(ctx);
  const [row] =
    visible === null
      ? []
      : await ctx.db
          .select()
          .from(loads)
          .where(and(eq(loads.id, id), visible));
  if (!row) throw NotFoundError.of("load", id);
  return row;
}

export async function getLoad(ctx: Ctx, input: { id: string }): Promise<LoadView> {
  return loadView(await findVisibleLoad(ctx, input.id), ctx.actor);
}

export interface ListLoadsInput {
  status?: LoadStatus;
  origin?: string;
  destination?: string;
  mode?: Mode;
  pickupFrom?: string;
  pickupTo?: string;
  cursor?: string;
  limit: number;
}

export async function listLoads(
  ctx: Ctx,
  input: ListLoadsInput,
): Promise<{ items: LoadView[]; nextCursor: string | null }> {
  const visible = await visibilityOf(ctx);
  if (visible === null) return { items: [], nextCursor: null };
  const rows = await ctx.db
    .select()
    .from(loads)
    .where(
      and(
        visible,
        input.status ? eq(loads.status, input.status) : undefined,
        input.origin ? eq(loads.originHub, input.origin) : undefined,
        input.destination ? eq(loads.destinationHub, input.destination) : undefined,
        input.mode ? sql`${input.mode} = any(${loads.modes})` : undefined,
        input.pickupFrom ? gte(loads.pickupTo, new Date(input.pickupFrom)) : undefined,
        input.pickupTo ? lte(loads.pickupFrom, new Date(input.pickupTo)) : undefined,
        input.cursor ? gt(loads.id, input.cursor) : undefined,
      ),
    )
    .orderBy(asc(loads.id))
    .limit(input.limit + 1);
  return toPage(
    rows,
    input.limit,
    (r) => r.id,
    (r) => loadView(r, ctx.actor),
  );
}
