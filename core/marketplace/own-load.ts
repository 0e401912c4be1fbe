import { and, eq, sql } from "drizzle-orm";
import { type Load, loads } from "../../db/schema";
import { type Ctx, requireOrgActor } from "../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors";

/**
 * Locks a load its shipper (or an admin) is about to change. Others get 404 or 403: a
 * carrier or another shipper never learns whether the load exists; a regulator may read but
 * not write. `dbNow` is the database clock, which decides whether bidding is still open.
 */
export async function lockOwnLoad(
  ctx: Ctx,
  id: string,
  opts: { mode?: "update" | "no key update" } = {},
): Promise<{ load: Load; dbNow: Date }> {
  const actor = requireOrgActor(ctx);
  if (actor.kind === "regulator") throw new ForbiddenError("regulators may read but not write");
  const query = ctx.db
    .select({ load: loads, dbNow: sql<Date>`now()`.mapWith((v: string | Date) => new Date(v)) })
    .from(loads)
    .where(
      and(eq(loads.id, id), actor.kind === "admin" ? undefined : eq(loads.shipperId, actor.orgId)),
    );
  const [row] = await (opts.mode === "update" ? query.for("update") : query.for("no key update"));
  if (!row) throw NotFoundError.of("load", id);
  return row;
}

export function requireOpen(load: Load, doing: string): void {
  if (load.status !== "open") {
    throw new ConflictError(
      `cannot ${doing}: the load is ${load.status}`,
      [{ path: "status", message: load.status }],
      "LOAD_NOT_OPEN",
    );
  }
}
