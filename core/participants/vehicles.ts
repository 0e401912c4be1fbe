import { and, asc, eq, gt, sql } from "drizzle-orm";
import { type Gauge, type Mode, organizations, vehicles } from "../../db/schema";
import { recordAudit } from "../audit/append";
import { type Ctx, requireOrgActor, withTransaction } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { newId } from "../ids";
import { validateChinesePlate } from "../validation";
import { isUniqueViolation } from "./register";
import { orgCeiling, type VehicleView, vehicleView } from "./view";

export interface VehicleInput {
  mode: Mode;
  plate: string;
  capacityKg: number;
  capacityM3: number;
  gauge?: Gauge;
}

/** The carrier whose fleet the actor may change: itself, or any carrier for an admin. */
async function writableCarrier(ctx: Ctx, carrierId: string) {
  const actor = ctx.actor;
  const allowed = actor.kind === "admin" || ("orgId" in actor && actor.orgId === carrierId);
  const [carrier] = allowed
    ? await ctx.db
        .select({
          id: organizations.id,
          status: organizations.status,
          country: organizations.country,
          modes: organizations.modes,
        })
        .from(organizations)
        .where(and(eq(organizations.id, carrierId), eq(organizations.kind, "carrier")))
    : [];
  if (!carrier) throw NotFoundError.of("carrier", carrierId);
  if (carrier.status === "rejected") {
    throw new ForbiddenError("a rejected carrier cannot change its fleet");
  }
  return carrier;
}

export async function addVehicle(
  ctx: Ctx,
  input: { carrierId: string; vehicle: VehicleInput },
): Promise<VehicleView> {
  requireOrgActor(ctx);
  const v = input.vehicle;
  return withTransaction(ctx, async (tx) => {
    const carrier = await writableCarrier(tx, input.carrierId);
    if (!carrier.modes.includes(v.mode)) {
      throw ValidationError.field(
        "mode",
        `carrier does not operate ${v.mode} (declared: ${carrier.modes.join(", ") || "none"})`,
      );
    }
    if (v.mode === "road" && carrier.country === "CN") {
      const plate = validateChinesePlate(v.plate);
      if (!plate.ok) throw ValidationError.field("plate", plate.message);
    }
    const id = newId("veh");
    const now = tx.clock.now();
    let row: typeof vehicles.$inferSelect | undefined;
    try {
      [row] = await tx.db
        .insert(vehicles)
        .values({
          id,
          carrierId: carrier.id,
          mode: v.mode,
          plate: v.plate,
          capacityKg: v.capacityKg,
          capacityM3: v.capacityM3,
          gauge: v.mode === "rail" ? (v.gauge ?? null) : null,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(`a ${v.mode} vehicle ${v.plate} is already registered`, [
          { path: "plate", message: "already registered" },
        ]);
      }
      throw e;
    }
    if (!row) throw new Error("insert returned no row");
    recordAudit(tx, {
      action: "vehicle.registered",
      entityType: "vehicle",
      entityId: id,
      data: {
        carrierId: carrier.id,
        mode: v.mode,
        plate: v.plate,
        capacityKg: v.capacityKg,
        capacityM3: v.capacityM3,
        gauge: row.gauge,
      },
    });
    return vehicleView(row, "sensitive");
  });
}

export async function listVehicles(
  ctx: Ctx,
  input: { carrierId: string; mode?: Mode; cursor?: string; limit: number },
): Promise<{ items: VehicleView[]; nextCursor: string | null }> {
  const ceiling = orgCeiling(ctx.actor, input.carrierId);
  if (!ceiling) throw NotFoundError.of("carrier", input.carrierId);
  const [carrier] = await ctx.db
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(eq(organizations.id, input.carrierId), eq(organizations.kind, "carrier")));
  if (!carrier) throw NotFoundError.of("carrier", input.carrierId);
  const rows = await ctx.db
    .select()
    .from(vehicles)
    .where(
      and(
        eq(vehicles.carrierId, input.carrierId),
        input.mode ? eq(vehicles.mode, input.mode) : undefined,
        input.cursor ? gt(vehicles.id, input.cursor) : undefined,
      ),
    )
    .orderBy(asc(vehicles.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => vehicleView(r, ceiling)),
    nextCursor: rows.length > input.limit && last ? last.id : null,
  };
}

/** Replaces a carrier's declared qualifications (licence renewed, new insurance, …). */
export async function updateQualifications(
  ctx: Ctx,
  input: {
    carrierId: string;
    qualifications: (typeof organizations.$inferSelect)["qualifications"];
  },
) {
  requireOrgActor(ctx);
  return withTransaction(ctx, async (tx) => {
    await writableCarrier(tx, input.carrierId);
    const [row] = await tx.db
      .update(organizations)
      .set({
        qualifications: input.qualifications,
        updatedAt: tx.clock.now(),
        version: sql`${organizations.version} + 1`,
      })
      .where(eq(organizations.id, input.carrierId))
      .returning();
    if (!row) throw NotFoundError.of("carrier", input.carrierId);
    recordAudit(tx, {
      action: "carrier.qualifications_updated",
      entityType: "organization",
      entityId: row.id,
      data: { qualifications: input.qualifications },
    });
    return row;
  });
}
