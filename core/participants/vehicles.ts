import { and, asc, eq, gt } from "drizzle-orm";
import type { NewAuditEntry } from "../../db/queries/audit";
import {
  insertVehicle,
  type NewVehicle,
  type VehicleInsertOutcome,
} from "../../db/queries/participants";
import { type Gauge, type Mode, mayWrite, organizations, vehicles } from "../../db/schema";
import { auditContext, auditEntry } from "../audit/append";
import { type Ctx, requireOrgActor } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors";
import { newId } from "../ids";
import { toPage } from "../pagination";
import { validateChinesePlate, validateUnitNumber } from "../validation";
import { isUniqueViolation } from "./register";
import { orgCeiling, type VehicleView, vehicleView } from "./view";

export interface VehicleInput {
  mode: Mode;
  plate: string;
  capacityKg: number;
  capacityM3: number;
  gauge?: Gauge;
}

type ValidationResult = { ok: true } | { ok: false; message: string };

/** Why the statement inserted nothing, from the carrier's row and the checks made before. */
function vehicleRefusal(
  outcome: VehicleInsertOutcome,
  v: VehicleInput,
  unit: ValidationResult,
  plate: ValidationResult,
): Error {
  if (!mayWrite(outcome.status)) {
    return new ForbiddenError(`a ${outcome.status} carrier cannot change its fleet`);
  }
  if (!outcome.modes.includes(v.mode)) {
    return ValidationError.field(
      "mode",
      `carrier does not operate ${v.mode} (declared: ${outcome.modes.join(", ") || "none"})`,
    );
  }
  if (!unit.ok) return ValidationError.field("plate", unit.message);
  if (!plate.ok) return ValidationError.field("plate", plate.message);
  return new Error("vehicle not inserted for no known reason");
}

/** A new vehicle and its audit entry, proved by the node, dated alike. */
function newVehicle(
  ctx: Ctx,
  carrierId: string,
  v: VehicleInput,
): { vehicle: NewVehicle; audit: NewAuditEntry } {
  const shared = auditContext(ctx);
  const data = {
    carrierId,
    mode: v.mode,
    plate: v.plate,
    capacityKg: v.capacityKg,
    capacityM3: v.capacityM3,
    gauge: v.mode === "rail" ? (v.gauge ?? null) : null,
  };
  const id = newId("veh");
  const audit = auditEntry(
    ctx,
    { action: "vehicle.registered", entityType: "vehicle", entityId: id, data },
    shared,
  );
  return { vehicle: { id, ...data, createdAt: shared.at }, audit };
}

/**
 * Registers a vehicle in one statement: the carrier's checks, the insert and its audit entry
 * commit together or not at all, in a single round trip. When nothing was inserted, the
 * carrier's row returned alongside says why.
 */
export async function addVehicle(
  ctx: Ctx,
  input: { carrierId: string; vehicle: VehicleInput },
): Promise<VehicleView> {
  const actor = requireOrgActor(ctx);
  const { carrierId, vehicle: v } = input;
  if (actor.kind !== "admin" && actor.orgId !== carrierId)
    throw NotFoundError.of("carrier", carrierId);
  // Any unit: a recognisable shape (container, wagon, aircraft, IMO ship, Chinese plate) must
  // be valid, anything else must at least look like an identifier.
  const unit = validateUnitNumber(v.mode, v.plate);
  // Chinese carriers' trucks must carry Chinese plates; which carrier it is, the statement knows.
  const plate = v.mode === "road" ? validateChinesePlate(v.plate) : ({ ok: true } as const);
  const { vehicle, audit } = newVehicle(ctx, carrierId, v);
  const outcome = await insertVehicle(ctx.db, {
    vehicle,
    unitValid: unit.ok,
    plateValid: plate.ok,
    audit,
  }).catch((e: unknown) => {
    if (!isUniqueViolation(e)) throw e;
    throw new ConflictError(`a ${v.mode} vehicle ${v.plate} is already registered`, [
      { path: "plate", message: "already registered" },
    ]);
  });
  if (!outcome) throw NotFoundError.of("carrier", carrierId);
  if (!outcome.inserted) throw vehicleRefusal(outcome, v, unit, plate);
  return vehicleView({ ...vehicle, updatedAt: vehicle.createdAt }, "sensitive");
}

/** One vehicle of a carrier's fleet, for the carrier, admins and regulators. */
export async function getVehicle(
  ctx: Ctx,
  input: { carrierId: string; vehicleId: string },
): Promise<VehicleView> {
  const ceiling = orgCeiling(ctx.actor, input.carrierId);
  const [row] = ceiling
    ? await ctx.db
        .select()
        .from(vehicles)
        .where(and(eq(vehicles.id, input.vehicleId), eq(vehicles.carrierId, input.carrierId)))
    : [];
  if (!ceiling || !row) throw NotFoundError.of("vehicle", input.vehicleId);
  return vehicleView(row, ceiling);
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
  return toPage(
    rows,
    input.limit,
    (r) => r.id,
    (r) => vehicleView(r, ceiling),
  );
}
