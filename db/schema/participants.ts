import { relations, sql } from "drizzle-orm";
import {
  check,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  smallint,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { Gauge, Mode } from "../../routing/types";
import type { FieldClassification } from "./classification";
import { timestamps, tsz, version } from "./columns";

export const ORG_KINDS = ["shipper", "carrier", "regulator", "admin"] as const;
export type OrgKind = (typeof ORG_KINDS)[number];
/** `suspended`: an admin has stopped a verified organisation; it may read but not write. */
export const ORG_STATUSES = ["pending", "verified", "rejected", "suspended"] as const;
export type OrgStatus = (typeof ORG_STATUSES)[number];
/** The statuses that may change anything; a rejected or suspended organisation only reads. */
export const WRITING_STATUSES = ["pending", "verified"] as const satisfies readonly OrgStatus[];
export function mayWrite(status: OrgStatus): boolean {
  return (WRITING_STATUSES as readonly OrgStatus[]).includes(status);
}
/** Road vehicles of carriers registered here must carry this country's plates (GA 36-2018). */
export const PLATE_COUNTRY = "CN";
// One list of modes and gauges, the routing model's: its arrays are indexed by position in it.
export { GAUGES, type Gauge, MODES, type Mode } from "../../routing/types";

export interface Qualifications {
  operatingLicence?: { number: string; expiresOn: string };
  dangerousGoods?: { permitNumber: string; classes: string[]; expiresOn: string };
  insurance?: {
    insurer?: string;
    policyNumber?: string;
    cover: { amount: number; currency: string };
    expiresOn: string;
  };
}

const VEHICLE_MODE_CHECK: readonly Mode[] = ["road", "rail", "air", "sea"];

const inList = (column: string, values: readonly (string | number)[]) =>
  sql.raw(`${column} in (${values.map((v) => (typeof v === "number" ? v : `'${v}'`)).join(", ")})`);

export const organizations = pgTable(
  "organizations",
  {
    id: text("id").primaryKey(),
    kind: text("kind").$type<OrgKind>().notNull(),
    status: text("status").$type<OrgStatus>().notNull(),
    name: text("name").notNull(),
    country: text("country").notNull(),
    creditCode: text("credit_code"),
    registrationNumber: text("registration_number"),
    /** GB/T 2260 division of a Chinese organisation, read from its credit code. */
    divisionCode: text("division_code"),
    contactName: text("contact_name"),
    contactPhone: text("contact_phone"),
    contactEmail: text("contact_email"),
    modes: text("modes").array().$type<Mode[]>().notNull().default(sql`'{}'::text[]`),
    qualifications: jsonb("qualifications").$type<Qualifications>().notNull().default({}),
    rejectionReason: text("rejection_reason"),
    suspensionReason: text("suspension_reason"),
    /**
     * A carrier's declared qualifications that would widen what it may carry (a new
     * dangerous-goods class, a later expiry): they wait here for an admin's review.
     */
    pendingQualifications: jsonb("pending_qualifications").$type<Qualifications>(),
    verifiedAt: tsz("verified_at"),
    ...timestamps,
    ...version,
  },
  (t) => [
    check("organizations_kind_check", inList("kind", ORG_KINDS)),
    check("organizations_status_check", inList("status", ORG_STATUSES)),
    uniqueIndex("organizations_credit_code_key").on(t.creditCode),
    uniqueIndex("organizations_registration_key").on(t.country, t.registrationNumber),
    index("organizations_kind_id_idx").on(t.kind, t.id),
  ],
);

export type Organization = typeof organizations.$inferSelect;

export const organizationClasses: FieldClassification<Organization> = {
  id: "public",
  kind: "public",
  status: "public",
  name: "public",
  country: "public",
  creditCode: "public",
  registrationNumber: "public",
  divisionCode: "public",
  contactName: "sensitive",
  contactPhone: "sensitive",
  contactEmail: "sensitive",
  modes: "public",
  qualifications: "internal",
  rejectionReason: "internal",
  suspensionReason: "internal",
  pendingQualifications: "internal",
  verifiedAt: "public",
  createdAt: "public",
  updatedAt: "internal",
  version: "internal",
};

export const vehicles = pgTable(
  "vehicles",
  {
    id: text("id").primaryKey(),
    carrierId: text("carrier_id")
      .notNull()
      .references(() => organizations.id),
    mode: text("mode").$type<Mode>().notNull(),
    plate: text("plate").notNull(),
    capacityKg: doublePrecision("capacity_kg").notNull(),
    capacityM3: doublePrecision("capacity_m3").notNull(),
    gauge: smallint("gauge").$type<Gauge>(),
    ...timestamps,
  },
  (t) => [
    // Spelled in the order the migration that made it wrote it, so its text stays as migrated;
    // test/foundation/modes.test.ts holds the database's list to MODES.
    check("vehicles_mode_check", inList("mode", VEHICLE_MODE_CHECK)),
    check("vehicles_gauge_check", sql`(mode = 'rail') = (gauge is not null)`),
    check("vehicles_capacity_check", sql`capacity_kg > 0 and capacity_m3 > 0`),
    uniqueIndex("vehicles_mode_plate_key").on(t.mode, t.plate),
    index("vehicles_carrier_id_idx").on(t.carrierId, t.id),
  ],
);

export type Vehicle = typeof vehicles.$inferSelect;

export const vehicleClasses: FieldClassification<Vehicle> = {
  id: "public",
  carrierId: "public",
  mode: "public",
  plate: "internal",
  capacityKg: "public",
  capacityM3: "public",
  gauge: "public",
  createdAt: "public",
  updatedAt: "internal",
};

export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id),
    role: text("role").$type<OrgKind>().notNull(),
    name: text("name").notNull(),
    /** First characters of the key, shown in listings so an owner can tell keys apart. */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the key; keys are 192-bit random so a slow hash adds nothing. */
    hash: text("hash").notNull(),
    createdAt: tsz("created_at").notNull().defaultNow(),
    lastUsedAt: tsz("last_used_at"),
    revokedAt: tsz("revoked_at"),
  },
  (t) => [
    uniqueIndex("api_keys_hash_key").on(t.hash),
    index("api_keys_org_id_idx").on(t.orgId, t.id),
  ],
);

export type ApiKey = typeof apiKeys.$inferSelect;

export const apiKeyClasses: FieldClassification<ApiKey> = {
  id: "internal",
  orgId: "internal",
  role: "internal",
  name: "internal",
  prefix: "internal",
  hash: "sensitive",
  createdAt: "internal",
  lastUsedAt: "internal",
  revokedAt: "internal",
};

export const organizationsRelations = relations(organizations, ({ many }) => ({
  vehicles: many(vehicles),
  apiKeys: many(apiKeys),
}));

export const vehiclesRelations = relations(vehicles, ({ one }) => ({
  carrier: one(organizations, { fields: [vehicles.carrierId], references: [organizations.id] }),
}));

export const apiKeysRelations = relations(apiKeys, ({ one }) => ({
  organization: one(organizations, { fields: [apiKeys.orgId], references: [organizations.id] }),
}));
