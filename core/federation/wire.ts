import { z } from "zod";
import type { Cargo, HandoverPoint, LegFigures, Place, WaybillRoute } from "../../db/schema";
import { MODES, RECORD_TYPES, WAYBILL_STATES } from "../../db/schema";

/**
 * The batch a partner posts to `/v1/federation/inbox`, as WIRE.md fixes it. Records carry
 * only what the sender's agreement with this node shares, so every field above `public` may
 * be absent. Places, cargo and handover points are kept as the home node wrote them.
 */
const instant = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), "not a date-time")
  .transform((s) => new Date(s));
const text = z.string().min(1).max(200);
const place = z.record(z.string(), z.unknown()).transform((p) => p as unknown as Place);

// `internal`: absent under a `public` agreement and from senders that predate it.
const carrierRegistration = z
  .object({ country: z.string().length(2), number: z.string().min(1).max(40) })
  .nullish()
  .transform((r) => r ?? null);

// `internal`, from a routing quote: kept as the home node wrote them, absent otherwise.
const quoted = <T>() =>
  z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((v) => (v ?? null) as T | null);

const ReceivedLeg = z.object({
  seq: z.number().int().min(1).max(100),
  mode: z.enum(MODES),
  carrierId: text,
  carrierRegistration,
  from: place,
  to: place,
  plannedDeparture: instant,
  plannedArrival: instant,
  figures: quoted<LegFigures>(),
});

export const ReceivedWaybill = z.object({
  number: text,
  shipperId: text,
  carrierId: text,
  carrierRegistration,
  origin: place,
  destination: place,
  cargo: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((c) => (c ?? null) as Cargo | null),
  priceAmount: z.number().nullish(),
  priceCurrency: z.string().max(3).nullish(),
  points: z
    .array(z.record(z.string(), z.unknown()))
    .max(100)
    .default([])
    .transform((p) => p as unknown as HandoverPoint[]),
  route: quoted<WaybillRoute>(),
  createdAt: instant,
  legs: z.array(ReceivedLeg).max(100).default([]),
});
export type ReceivedWaybill = z.output<typeof ReceivedWaybill>;

export const ReceivedEvent = z.object({
  type: z.enum(WAYBILL_STATES),
  occurredAt: instant,
  location: place.nullish(),
  details: z.record(z.string(), z.unknown()).optional(),
  fingerprint: z.string().min(1).max(64).optional(),
  reportedBy: z.string().max(200).nullish(),
  recordedAt: instant.optional(),
  // The recording node's signature over the event, kept as received so any node can verify it.
  recordedBy: z.string().max(16).nullish(),
  signatureKid: z.string().max(100).nullish(),
  signature: z.string().max(200).nullish(),
});
export type ReceivedEvent = z.output<typeof ReceivedEvent>;

const MAX_MESSAGES = 1000;

const Message = z.object({
  id: z.string().min(3).max(120),
  type: z.enum(RECORD_TYPES),
  waybill: text,
  homeNode: z.string().min(2).max(16),
  origin: z.string().min(2).max(16),
  record: z.record(z.string(), z.unknown()),
});
export type Message = z.output<typeof Message>;

export const Batch = z.object({
  protocolVersion: z.string(),
  from: z.string(),
  to: z.string(),
  messages: z.array(Message).max(MAX_MESSAGES),
});
export type Batch = z.output<typeof Batch>;
