import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import type { Classification, FieldClassification } from "./classification";
import { timestamps, tsz, version } from "./columns";

/** What a node is to its partners: a province's, a country's, or a Belt and Road partner's. */
export const NODE_KINDS = ["regional", "national", "belt_and_road"] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** The kinds of record an agreement may share. */
export const RECORD_TYPES = ["waybill", "event"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const PARTNER_STATUSES = ["active", "suspended"] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

/** An Ed25519 public key as RFC 8037 writes it, named by its RFC 7638 thumbprint. */
export interface PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
}

export interface Jwks {
  keys: PublicJwk[];
}

/** What a partner receives: waybills touching these places, these records, up to this class. */
export interface PartnerAgreement {
  /** ISO 3166-1 alpha-2 codes. */
  countries: string[];
  /** GB/T 2260 division code prefixes (2, 4 or 6 digits), matched against hubs' divisionCode. */
  regions: string[];
  recordTypes: RecordType[];
  maxClassification: Classification;
}

const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);

/**
 * The keys this node signs federation messages with. The node key itself (core/identity) is
 * kept here by its public half only; keys made by rotation keep their private half sealed
 * (AES-256-GCM) under a key derived from the node key, so the database alone signs nothing.
 * A key is published and signs until `retiresAt`; null means it is the current one.
 */
export const federationSigningKeys = pgTable("federation_signing_keys", {
  kid: text().primaryKey(),
  publicJwk: jsonb().$type<PublicJwk>().notNull(),
  /** Null for the node key, whose private half never enters the database. */
  sealedPrivateKey: text(),
  createdAt: tsz("created_at").notNull().defaultNow(),
  retiresAt: tsz("retires_at"),
});

export type FederationSigningKey = typeof federationSigningKeys.$inferSelect;

export const federationSigningKeyClasses: FieldClassification<FederationSigningKey> = {
  kid: "public",
  publicJwk: "public",
  sealedPrivateKey: "sensitive",
  createdAt: "public",
  retiresAt: "public",
};

/** Another Caravan node this one shares freight data with, under an agreement. */
export const federationPartners = pgTable(
  "federation_partners",
  {
    /** The partner's `CARAVAN_NODE_CODE`. */
    code: text().primaryKey(),
    name: text().notNull(),
    kind: text().$type<NodeKind>().notNull(),
    /** Outbound calls go here and nowhere else. */
    baseUrl: text().notNull(),
    /** The keys its messages must be signed with. */
    jwks: jsonb().$type<Jwks>().notNull(),
    agreement: jsonb().$type<PartnerAgreement>().notNull(),
    status: text().$type<PartnerStatus>().notNull().default("active"),
    suspendedAt: tsz("suspended_at"),
    ...timestamps,
    ...version,
  },
  () => [
    check("federation_partners_kind_check", inList("kind", NODE_KINDS)),
    check("federation_partners_status_check", inList("status", PARTNER_STATUSES)),
  ],
);

export type FederationPartner = typeof federationPartners.$inferSelect;

export const federationPartnerClasses: FieldClassification<FederationPartner> = {
  code: "public",
  name: "public",
  kind: "public",
  baseUrl: "internal",
  jwks: "public",
  agreement: "internal",
  status: "internal",
  suspendedAt: "internal",
  createdAt: "internal",
  updatedAt: "internal",
  version: "internal",
};

/** Where an outbox row stands: waiting, taken by the partner (a 2xx), or refused for good. */
export const OUTBOX_STATUSES = ["pending", "delivered", "dead"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * What is to be sent to each partner, written in the transaction of the change it carries:
 * the record already stripped to the partner's agreement. `seq` is drawn at insert, under the
 * waybill's lock, so a partner receives one waybill's messages in the order they were written.
 */
export const federationOutbox = pgTable(
  "federation_outbox",
  {
    id: text().primaryKey(),
    seq: bigint({ mode: "number" }).notNull().generatedAlwaysAsIdentity(),
    partner: text()
      .notNull()
      .references(() => federationPartners.code),
    waybillNumber: text().notNull(),
    type: text().$type<RecordType>().notNull(),
    /** The node that issued the waybill. */
    homeNode: text().notNull(),
    /** The node where the record was first written. */
    origin: text().notNull(),
    record: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: tsz("created_at").notNull().defaultNow(),
    status: text().$type<OutboxStatus>().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    lastError: text(),
    deliveredAt: tsz("delivered_at"),
  },
  (t) => [
    check("federation_outbox_status_check", inList("status", OUTBOX_STATUSES)),
    check("federation_outbox_type_check", inList("type", RECORD_TYPES)),
    index("federation_outbox_partner_idx").on(t.partner, t.status, t.seq),
  ],
);

export type FederationOutboxRow = typeof federationOutbox.$inferSelect;

/** The record is already stripped to the partner's agreement; the rest is delivery state. */
export const federationOutboxClasses: FieldClassification<FederationOutboxRow> = {
  id: "internal",
  seq: "internal",
  partner: "internal",
  waybillNumber: "internal",
  type: "internal",
  homeNode: "internal",
  origin: "internal",
  record: "internal",
  createdAt: "internal",
  status: "internal",
  attempts: "internal",
  lastError: "internal",
  deliveredAt: "internal",
};

/** Messages applied from partners, by id: a message delivered twice is applied once. */
export const federationInbox = pgTable("federation_inbox", {
  messageId: text().primaryKey(),
  sender: text().notNull(),
  waybillNumber: text().notNull(),
  type: text().$type<RecordType>().notNull(),
  receivedAt: tsz("received_at").notNull().defaultNow(),
});

export const federationInboxClasses: FieldClassification<typeof federationInbox.$inferSelect> = {
  messageId: "internal",
  sender: "internal",
  waybillNumber: "internal",
  type: "internal",
  receivedAt: "internal",
};

/**
 * How delivery to a partner is going: the last success and failure, and why delivery stopped
 * (an incompatible protocol version) or waits (a `Retry-After`).
 */
export const federationSync = pgTable("federation_sync", {
  partner: text()
    .primaryKey()
    .references(() => federationPartners.code),
  lastDeliveredAt: tsz("last_delivered_at"),
  lastFailureAt: tsz("last_failure_at"),
  failures: integer().notNull().default(0),
  lastError: text(),
  /** Set when the partner refused the protocol version: nothing is sent until it is cleared. */
  stoppedReason: text(),
  /** A 429's `Retry-After`: no batch is sent before it. */
  pausedUntil: tsz("paused_until"),
  /** Received: the partner's last signed heartbeat to this node. */
  lastHeartbeatAt: tsz("last_heartbeat_at"),
  /** Sent: the last time the partner answered a heartbeat or a batch with a 2xx. */
  lastReachedAt: tsz("last_reached_at"),
  /** Where the last pull from the partner's catch-up feed ended (its opaque cursor). */
  pullCursor: text(),
});

export type FederationSyncRow = typeof federationSync.$inferSelect;

export const federationSyncClasses: FieldClassification<FederationSyncRow> = {
  partner: "internal",
  lastDeliveredAt: "internal",
  lastFailureAt: "internal",
  failures: "internal",
  lastError: "internal",
  stoppedReason: "internal",
  pausedUntil: "internal",
  lastHeartbeatAt: "internal",
  lastReachedAt: "internal",
  pullCursor: "internal",
};
