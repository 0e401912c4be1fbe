import { z } from "@hono/zod-openapi";
import { AWARD_RULES, BID_STATUSES, LOAD_STATUSES } from "../../core/marketplace/vocabulary";
import { DG_CLASSES } from "../../core/validation";
import { WAYBILL_STATES } from "../../core/waybills/vocabulary";
import { flag, idOf, isoDateTime, text } from "./common";
import { CurrencyCode, Mode } from "./participants";

const HubCode = z
  .string()
  .regex(/^[A-Z]{2}-[A-Z]{3}$/, "must be a network location code, e.g. CN-URC")
  .openapi({ example: "CN-URC" });

const Coordinates = {
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
};

const PlaceIn = z
  .union([HubCode, z.strictObject({ address: text(300), ...Coordinates })])
  .openapi("PlaceInput", {
    description: "A hub code of the routing network, or a free address with coordinates",
  });

const Place = z
  .object({
    hub: z.string().optional(),
    address: z.string().optional(),
    country: z.string().optional(),
    ...Coordinates,
  })
  .openapi("Place");

const positive = (max: number) => z.number().positive().max(max);

const Money = z
  .strictObject({ amount: positive(1e12).multipleOf(0.01), currency: CurrencyCode })
  .openapi("Money");

const Cargo = z
  .strictObject({
    weightKg: positive(10_000_000),
    volumeM3: positive(100_000),
    packages: z.number().int().min(1).max(1_000_000),
    hsCode: z.string().max(10).openapi({ example: "520100", description: "6–10 digit HS code" }),
    description: text(500).optional(),
    dangerousGoods: z
      .strictObject({
        unNumber: z.string().max(8).openapi({ example: "UN1203" }),
        class: z.enum(DG_CLASSES),
      })
      .optional(),
  })
  .openapi("Cargo");

const modes = z
  .array(Mode)
  .min(1)
  .max(4)
  .refine((a) => new Set(a).size === a.length, "modes must not repeat");

const loadFields = {
  origin: PlaceIn,
  destination: PlaceIn,
  cargo: Cargo,
  pickupWindow: z.strictObject({ from: isoDateTime, to: isoDateTime }),
  deliverBy: isoDateTime,
  modes,
  reservePrice: Money.optional(),
  biddingClosesAt: isoDateTime,
  awardRule: z.enum(AWARD_RULES).openapi({
    description:
      "manual; lowest_price; best_value = 0.5 price + 0.2 transit time + 0.15 CO2e + 0.15 (1 − on-time record), each scaled 0..1 across bids, lowest wins",
  }),
  earlyAward: z.boolean().optional().openapi({
    description:
      "Whether the shipper may award before biddingClosesAt (default true); false answers such an award 409 BIDDING_OPEN",
  }),
};

export const LoadCreate = z.strictObject(loadFields).openapi("LoadCreate");
export const LoadAmend = z
  .strictObject(loadFields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, "name at least one field to change")
  .openapi("LoadAmend");

export const Load = z
  .object({
    id: z.string(),
    status: z.enum(LOAD_STATUSES),
    shipperId: z.string().optional(),
    origin: Place,
    destination: Place,
    cargo: z.record(z.string(), z.unknown()).optional(),
    weightKg: z.number(),
    volumeM3: z.number(),
    pickupWindow: z.object({ from: z.string(), to: z.string() }),
    deliverBy: z.string(),
    modes: z.array(Mode),
    reservePrice: z
      .object({ amount: z.number(), currency: z.string() })
      .nullable()
      .optional()
      .openapi({ description: "Shown to the load's shipper only" }),
    biddingClosesAt: z.string(),
    awardRule: z.enum(AWARD_RULES),
    earlyAward: z.boolean(),
    awardedBidId: z.string().nullable().optional(),
    cancelReason: z.string().nullable().optional(),
    createdAt: z.string(),
    version: z.number().int().optional(),
  })
  .openapi("Load");

export const LoadQuery = {
  status: z.enum(LOAD_STATUSES).optional(),
  origin: HubCode.optional(),
  destination: HubCode.optional(),
  mode: Mode.optional(),
  pickupFrom: isoDateTime.optional().openapi({ description: "Pickup window ends at or after" }),
  pickupTo: isoDateTime.optional().openapi({ description: "Pickup window starts at or before" }),
};

/**
 * A bid or a waybill names one mode for the whole way, or its legs: one of the two. A bid
 * citing a quote may name neither (the quote's route gives its legs).
 */
function eitherModeOrLegs(
  v: { mode?: unknown; legs?: unknown; quoteId?: unknown },
  ctx: z.RefinementCtx,
): void {
  const neither = v.mode === undefined && v.legs === undefined;
  const both = v.mode !== undefined && v.legs !== undefined;
  if (both || (neither && v.quoteId === undefined)) flag(ctx, "mode", "give either mode or legs");
}

const BidLegIn = z.strictObject({
  mode: Mode,
  from: PlaceIn,
  to: PlaceIn,
  departAt: isoDateTime.optional(),
  arriveAt: isoDateTime.optional(),
});

export const BidCreate = z
  .strictObject({
    price: Money,
    mode: Mode.optional(),
    legs: z.array(BidLegIn).min(1).max(12).optional(),
    quoteId: text(64).optional().openapi({
      description:
        "The carrier's own routing quote for the load's hubs and weight: the bid follows its first route (legs, CO2e), and so does the waybill it wins",
    }),
    vehicleIds: z
      .array(idOf("veh"))
      .min(1)
      .max(50)
      .refine((a) => new Set(a).size === a.length, "vehicleIds must not repeat"),
    pickupAt: isoDateTime,
    deliveryAt: isoDateTime,
    validUntil: isoDateTime,
  })
  .superRefine(eitherModeOrLegs)
  .openapi("BidCreate");

export const Bid = z
  .object({
    id: z.string(),
    loadId: z.string(),
    carrierId: z.string(),
    status: z.enum(BID_STATUSES),
    revision: z.number().int(),
    price: z.object({ amount: z.number(), currency: z.string() }).optional(),
    mode: Mode,
    legs: z.array(z.record(z.string(), z.unknown())).nullable(),
    quoteId: z.string().nullable(),
    vehicleIds: z.array(z.string()),
    pickupAt: z.string(),
    deliveryAt: z.string(),
    validUntil: z.string(),
    co2eKg: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Bid");

export const WaybillNumberParam = z.object({
  number: z
    .string()
    .max(40)
    .openapi({ param: { name: "number", in: "path" }, example: "XJ-2026-00012345-6" }),
});

const LegFigures = z
  .object({
    linkId: z.string(),
    distanceKm: z.number(),
    durationHours: z.number(),
    waitHours: z.number(),
    cost: z.number(),
    currency: z.string(),
    co2eKg: z.number(),
    vehicles: z.number().int(),
    vehicleUnit: z.string(),
    crossing: z.string().optional(),
    gauge: z.number().optional(),
  })
  .openapi("LegFigures", {
    description:
      "A leg's figures from the routing quote the waybill follows (not shown to partners)",
  });

const WaybillRoute = z
  .object({
    quoteId: z.string(),
    route: z.number().int(),
    distanceKm: z.number(),
    durationHours: z.number(),
    cost: z.number(),
    currency: z.string(),
    co2eKg: z.number(),
    factorTable: z.string(),
  })
  .openapi("WaybillRoute", {
    description: "The routing quote an awarded bid cited, and its route's totals",
  });

export const Waybill = z
  .object({
    number: z.string().openapi({ example: "XJ-2026-00012345-6" }),
    status: z.enum(WAYBILL_STATES),
    loadId: z.string().nullable().optional(),
    bidId: z.string().nullable().optional(),
    shipperId: z.string(),
    carrierId: z.string(),
    origin: Place,
    destination: Place,
    cargo: z.record(z.string(), z.unknown()).optional(),
    price: z.object({ amount: z.number(), currency: z.string() }).optional(),
    legs: z.array(
      z.object({
        seq: z.number().int(),
        mode: Mode,
        carrierId: z.string(),
        from: Place,
        to: Place,
        plannedDeparture: z.string(),
        plannedArrival: z.string(),
        figures: LegFigures.optional(),
      }),
    ),
    points: z.array(
      z.object({
        kind: z.enum(["border_crossing", "transshipment"]),
        afterLeg: z.number().int().openapi({ description: "Index (from 0) of the leg it follows" }),
        place: Place,
        note: z.string().optional(),
        crossing: z.string().optional().openapi({ example: "X-KHR-NUR" }),
      }),
    ),
    route: WaybillRoute.optional(),
    homeNode: z.string().nullable().openapi({
      description: "The node that issued the waybill: a partner's code on a replica",
      example: "XJ",
    }),
    createdAt: z.string(),
  })
  .openapi("Waybill");

export const WaybillCreate = z
  .strictObject({
    carrierId: idOf("org"),
    origin: PlaceIn,
    destination: PlaceIn,
    cargo: Cargo,
    price: Money,
    mode: Mode.optional(),
    legs: z
      .array(
        BidLegIn.extend({
          carrierId: idOf("org")
            .optional()
            .openapi({ description: "This leg's carrier, when not the contracted `carrierId`" }),
        }),
      )
      .min(1)
      .max(12)
      .optional(),
    pickupAt: isoDateTime,
    deliveryAt: isoDateTime,
  })
  .superRefine(eitherModeOrLegs)
  .openapi("WaybillCreate");

export const WaybillEventCreate = z
  .strictObject({
    type: z.enum(WAYBILL_STATES),
    occurredAt: isoDateTime,
    location: z
      .union([HubCode, z.strictObject({ ...Coordinates, address: text(300).optional() })])
      .optional(),
    details: z
      .record(
        z.string().max(64),
        z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
      )
      .refine((r) => Object.keys(r).length <= 32, "at most 32 details")
      .optional(),
  })
  .openapi("WaybillEventCreate");

export const WaybillEvent = z
  .object({
    id: z.number().int(),
    type: z.enum(WAYBILL_STATES),
    occurredAt: z.string(),
    location: Place.nullable(),
    details: z.record(z.string(), z.unknown()).optional(),
    recordedAt: z.string(),
  })
  .openapi("WaybillEvent");

export const FeedEntry = z
  .object({
    cursor: z.string().openapi({
      example: "q3Xf0c9LrV2kJt8mYw1aBsE4uN7pHd6gZiC",
      description: "Opaque position of this event; pass as `since` to read what follows",
    }),
    type: z.string().openapi({ example: "bid.received" }),
    entityType: z.string(),
    entityId: z.string(),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi("FeedEntry");
