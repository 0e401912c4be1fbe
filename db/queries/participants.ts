import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, type Sql, sqlOf } from "../client";
import {
  type Organization,
  type OrgKind,
  type OrgStatus,
  organizations,
  PLATE_COUNTRY,
  type Vehicle,
  WRITING_STATUSES,
} from "../schema";
import { composedAuditParams, composedAuditSql, type NewAuditEntry } from "./audit";
import { type CopyText, copyText } from "./copy";

/** A new organisation: what it declares, with its kind and first status (no review yet). */
export type NewOrganization = Omit<
  typeof organizations.$inferInsert,
  "version" | "rejectionReason" | "suspensionReason" | "pendingQualifications"
>;

/** Adds an organisation: the one way into `organizations`. */
export async function insertOrganization(db: Db, values: NewOrganization): Promise<Organization> {
  const [row] = await db.insert(organizations).values(values).returning();
  if (!row) throw new Error("insert into organizations returned no row");
  return row;
}

/** What may change on an organisation after it is registered. */
export type OrganizationChange = Partial<
  Pick<
    Organization,
    | "status"
    | "rejectionReason"
    | "suspensionReason"
    | "verifiedAt"
    | "qualifications"
    | "pendingQualifications"
  >
>;

/**
 * Changes an organisation as a new version of it, only while it is of one of `kinds` and in
 * one of `statuses` (when given), so two concurrent decisions cannot both win.
 */
export async function updateOrganization(
  db: Db,
  params: {
    id: string;
    set: OrganizationChange;
    at: Date;
    kinds?: OrgKind[];
    statuses?: OrgStatus[];
  },
): Promise<Organization | undefined> {
  const [row] = await db
    .update(organizations)
    .set({ ...params.set, updatedAt: params.at, version: sql`${organizations.version} + 1` })
    .where(
      and(
        eq(organizations.id, params.id),
        params.kinds ? inArray(organizations.kind, params.kinds) : undefined,
        params.statuses ? inArray(organizations.status, params.statuses) : undefined,
      ),
    )
    .returning();
  return row;
}

export type NewVehicle = Omit<Vehicle, "updatedAt">;

/** The carrier's row beside a vehicle insert: when nothing was inserted, it says why. */
export interface VehicleInsertOutcome {
  status: OrgStatus;
  country: string;
  modes: string[];
  inserted: boolean;
}

const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(", ");

// The carrier's write rules, restated in SQL so that checks and insert are one round trip: the
// statuses and plate country are the schema's constants the JS checks use too (mayWrite in
// requireGoodStanding); test/foundation/write-paths.test.ts holds the two in step.
const INSERT_VEHICLE = `
  with c as (
    select id, status, country, modes from organizations where id = $1 and kind = 'carrier'
  ), v as (
    insert into vehicles
      (id, carrier_id, mode, plate, capacity_kg, capacity_m3, gauge, created_at, updated_at)
    select $2, c.id, $3, $4, $5::float8, $6::float8, $7::smallint, $8::timestamptz, $8::timestamptz
    from c
    where c.status in (${quoted(WRITING_STATUSES)}) and $3::text = any(c.modes) and $9::boolean
      and ($10::boolean or c.country <> '${PLATE_COUNTRY}')
    returning id
  ), a as (
    ${composedAuditSql("v", 11)}
  )
  select c.status, c.country, c.modes, exists (select 1 from v) as inserted from c`;

/**
 * Adds a carrier's vehicle and its audit entry in one statement (one round trip), if the
 * carrier may write, operates the mode, and the unit and plate checks made before allow it.
 * Undefined when there is no such carrier; `inserted: false` when a rule refused it.
 */
export async function insertVehicle(
  db: Db,
  params: {
    vehicle: NewVehicle;
    unitValid: boolean;
    plateValid: boolean;
    audit: Omit<NewAuditEntry, "entityId">;
  },
): Promise<VehicleInsertOutcome | undefined> {
  const { vehicle: v, audit: a } = params;
  const [row] = await sqlOf(db).unsafe(
    INSERT_VEHICLE,
    [
      v.carrierId,
      v.id,
      v.mode,
      v.plate,
      v.capacityKg,
      v.capacityM3,
      v.gauge,
      v.createdAt.toISOString(),
      params.unitValid,
      params.plateValid,
      ...composedAuditParams(a),
    ],
    { prepare: true },
  );
  return row as VehicleInsertOutcome | undefined;
}

/** Column order of `copyOrganizations` rows (COPY text format). */
const ORGANIZATION_COPY_COLUMNS = [
  "id",
  "kind",
  "status",
  "name",
  "country",
  "credit_code",
  "registration_number",
  "division_code",
  "contact_name",
  "contact_phone",
  "contact_email",
  "modes",
  "qualifications",
  "verified_at",
  "created_at",
  "updated_at",
] as const;

/** Bulk-loads organisations (sample data), rows in ORGANIZATION_COPY_COLUMNS order. */
export function copyOrganizations(client: Sql, text: CopyText): Promise<void> {
  return copyText(client, "organizations", ORGANIZATION_COPY_COLUMNS, text);
}

const VEHICLE_COPY_COLUMNS = [
  "id",
  "carrier_id",
  "mode",
  "plate",
  "capacity_kg",
  "capacity_m3",
  "gauge",
  "created_at",
  "updated_at",
] as const;

/** Bulk-loads vehicles (sample data), rows in VEHICLE_COPY_COLUMNS order. */
export function copyVehicles(client: Sql, text: CopyText): Promise<void> {
  return copyText(client, "vehicles", VEHICLE_COPY_COLUMNS, text);
}
