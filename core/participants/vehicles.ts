import { and, asc, eq, gt } from "drizzle-orm";
import { sqlOf } from "../../db/client";
import { type Gauge, type Mode, organizations, vehicles } from "../../db/schema";
import { auditContext } from "../audit/append";
import { auditProof } from "../audit/proof";
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

interface AddVehicleOutcome extends Record<string, unknown> {
  status: string;
  country: string;
  modes: string[];
  inserted: boolean;
}

const ADD_VEHICLE = `
  with c as (
    select id, status, country, modes from organizations where id = $1 and kind = 'carrier'
  ), v as (
    insert into vehicles
      (id, carrier_id, mode, plate, capacity_kg, capacity_m3, gauge, created_at, updated_at)
    select $2, c.id, $3, $4, $5::float8, $6::float8, $7::smallint, $8::timestamptz, $8::timestamptz
    from c
    where c.status in ('pending', 'verified') and $3::text = any(c.modes) and $14::boolean
      and ($9::boolean or c.country <> 'CN')
    returning id
  ), a as (
    insert into audit_log
      (at, actor_org_id, actor_kind, action, entity_type, entity_id, data, request_id, proof)
    select $8::timestamptz, $10, $11, 'vehicle.registered', 'vehicle', v.id, $12::jsonb, $13, $15
    from v
  )
  select c.status, c.country, c.modes, exists (select 1 from v) as inserted from c`;

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
  const id = newId("veh");
  const gauge = v.mode === "rail" ? (v.gauge ?? null) : null;
  const audit = auditContext(ctx);
  const at = audit.at.toISOString();
  const data = {
    carrierId,
    mode: v.mode,
    plate: v.plate,
    capacityKg: v.capacityKg,
    capacityM3: v.capacityM3,
    gauge,
  };
  const proof = auditProof(ctx.identity, {
    ...audit,
    action: "vehicle.registered",
    entityType: "vehicle",
    entityId: id,
    data,
  });
  let outcome: AddVehicleOutcome | undefined;
  try {
    [outcome] = (await sqlOf(ctx.db).unsafe(
      ADD_VEHICLE,
      [
        carrierId,
        id,
        v.mode,
        v.plate,
        v.capacityKg,
        v.capacityM3,
        gauge,
        at,
        plate.ok,
        audit.actorOrgId,
        audit.actorKind,
        JSON.stringify(data),
        audit.requestId,
        unit.ok,
        proof,
      ],
      { prepare: true },
    )) as AddVehicleOutcome[];
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new ConflictError(`a ${v.mode} vehicle ${v.plate} is already registered`, [
        { path: "plate", message: "already registered" },
      ]);
    }
    throw e;
  }
  if (!outcome) throw NotFoundError.of("carrier", carrierId);
  if (!outcome.inserted) {
    if (outcome.status === "rejected" || outcome.status === "suspended") {
      throw new ForbiddenError(`a ${outcome.status} carrier cannot change its fleet`);
    }
    if (!outcome.modes.includes(v.mode)) {
      throw ValidationError.field(
        "mode",
        `carrier does not operate ${v.mode} (declared: ${outcome.modes.join(", ") || "none"})`,
      );
    }
    if (!unit.ok) throw ValidationError.field("plate", unit.message);
    if (!plate.ok) throw ValidationError.field("plate", plate.message);
    throw new Error("vehicle not inserted for no known reason");
  }
  const created = new Date(at);
  return vehicleView(
    {
      id,
      carrierId,
      mode: v.mode,
      plate: v.plate,
      capacityKg: v.capacityKg,
      capacityM3: v.capacityM3,
      gauge,
      createdAt: created,
      updatedAt: created,
    },
    "sensitive",
  );
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
