import { z } from "@hono/zod-openapi";
import { DG_CLASSES } from "../../core/validation";
import { MODES } from "../../routing/types";
import { isoDateTime, text } from "./common";

const HubCode = z
  .string()
  .regex(/^[A-Z]{2}-[A-Z]{3}$/, "must be a hub code: country + three letters, e.g. CN-URC")
  .openapi({ example: "CN-URC" });

const RouteMode = z.enum(MODES).openapi({ example: "rail" });

export const QuoteRequest = z
  .strictObject({
    from: HubCode,
    to: HubCode.openapi({ example: "DE-DUI" }),
    cargo: z.strictObject({
      weightKg: z.number().gt(0, "must be > 0").max(5_000_000).openapi({ example: 18_000 }),
      volumeM3: z.number().min(0).max(10_000).optional().openapi({ example: 60 }),
      dangerousGoods: z
        .strictObject({
          class: z.enum(DG_CLASSES).openapi({ example: "3" }),
          unNumber: z
            .string()
            .regex(/^(UN ?)?[0-9]{4}$/, "must be a UN number, e.g. UN1203")
            .optional(),
        })
        .nullable()
        .optional(),
    }),
    departAt: isoDateTime.optional().openapi({ description: "Default: now" }),
    optimise: z.enum(["cost", "time", "co2e", "pareto"]).default("cost"),
    modes: z.array(RouteMode).min(1).max(4).optional(),
    avoidCountries: z
      .array(z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code"))
      .max(50)
      .optional()
      .openapi({ example: ["RU", "BY"] }),
    avoidCrossings: z.array(text(40)).max(50).optional(),
    maxTransitHours: z
      .number()
      .gt(0)
      .max(24 * 365)
      .optional(),
    maxModeChanges: z.number().int().min(0).max(20).optional(),
    alternatives: z.number().int().min(1).max(5).optional().openapi({
      description: "Diverse routes wanted for a single objective (no two share > 60% of distance)",
    }),
    limit: z.number().int().min(1).max(20).optional().openapi({
      description:
        "Cap on Pareto routes (default 6); cheapest, fastest, greenest and balanced stay",
    }),
  })
  .openapi("RouteQuoteRequest");

const Leg = z.object({
  mode: RouteMode,
  from: HubCode,
  to: HubCode,
  linkId: z.string(),
  distanceKm: z.number(),
  durationHours: z.number(),
  waitHours: z.number(),
  departAt: z.string(),
  arriveAt: z.string(),
  cost: z.number().openapi({ description: "USD for all the leg's vehicles together" }),
  co2eKg: z.number().openapi({ description: "Kg CO2e for all the leg's vehicles together" }),
  vehicles: z
    .number()
    .int()
    .min(1)
    .openapi({
      description:
        "Vehicles the consignment needs on this leg (trucks, 40 ft containers, aircraft loads): " +
        "the most of its weight over one vehicle's payload (or the link's per-vehicle limit) and " +
        "its volume over one vehicle's volume, rounded up. Each pays the link's fixed charge.",
      example: 2,
    }),
  vehicleUnit: z.string().openapi({ example: "truck" }),
  gauge: z.number().optional(),
  crossing: z.string().optional(),
});

const Stop = z
  .object({
    type: z.enum([
      "origin",
      "destination",
      "crossing",
      "gauge-change",
      "mode-change",
      "terminal-handling",
    ]),
    hub: z.string().optional(),
    vehicles: z.number().int().optional().openapi({
      description: "terminal-handling: vehicles loaded or unloaded (each pays the fixed charge)",
    }),
  })
  .catchall(z.unknown())
  .openapi({
    description:
      "Origin, destination, border crossings with dwell, gauge and mode changes, and " +
      "terminal-handling: loading at the origin and unloading at the destination terminal " +
      "of a rail, sea or air leg (road goes door to door)",
  });

const RouteView = z
  .object({
    labels: z.array(z.string()),
    legs: z.array(Leg),
    stops: z.array(Stop),
    totals: z.object({
      cost: z.number(),
      currency: z.literal("USD"),
      durationHours: z.number(),
      co2eKg: z.number(),
      distanceKm: z.number(),
      modeChanges: z.number(),
      waitHours: z.number(),
      badDayDurationHours: z.number(),
    }),
    badDay: z
      .object({
        assumes: z.string(),
        crossings: z.array(
          z.object({ crossing: z.string(), extraHours: z.number(), basis: z.string() }),
        ),
      })
      .openapi({ description: "What badDayDurationHours assumes, crossing by crossing" }),
    emissions: z.object({
      factorTable: z.string(),
      standard: z.string(),
      basis: z.string(),
      legsKg: z.number(),
      hubsKg: z.number(),
    }),
  })
  .openapi("Route");

export const QuoteView = z
  .object({
    quoteId: z.string().openapi({ example: "rq_01JBW4Q9X0ABCDEFGHJKMNPQRS" }),
    createdAt: z.string(),
    optimise: z.enum(["cost", "time", "co2e", "pareto"]),
    routes: z.array(RouteView),
    paretoSize: z.number().optional(),
    complete: z.boolean(),
    emissionFactors: z.object({ version: z.string(), standard: z.string(), basis: z.string() }),
  })
  .openapi("RouteQuote");

export const FormatQuery = z.strictObject({
  format: z.enum(["json", "geojson"]).default("json"),
});

export const HubView = z
  .object({
    code: HubCode,
    name: z.string(),
    nameZh: z.string(),
    country: z.string(),
    lat: z.number(),
    lon: z.number(),
    kind: z.string(),
    modes: z.array(RouteMode),
    divisionCode: z.string().nullable(),
    railGauges: z.array(z.number()),
  })
  .openapi("Hub");

export const LinkView = z
  .object({
    id: z.string().openapi({ example: "R-AKS-DOS" }),
    from: HubCode,
    to: HubCode,
    mode: RouteMode,
    distanceKm: z.number(),
    gauge: z.number().nullable(),
    bidirectional: z.boolean(),
    crossing: z.string().nullable(),
    transitCountries: z.array(z.string()),
    status: z.enum(["open", "closed"]),
    closedUntil: z.string().nullable(),
  })
  .openapi("Link");

export const CorridorView = z
  .object({
    id: z.string().openapi({ example: "cn-eu-khorgos" }),
    name: z.string(),
    nameZh: z.string(),
    links: z.array(z.string()),
    hubs: z.array(HubCode),
    source: z.object({
      publication: z.string(),
      url: z.string().optional(),
      date: z.string().optional(),
    }),
  })
  .openapi("Corridor");

export const FeatureCollection = z
  .object({
    type: z.literal("FeatureCollection"),
    features: z.array(
      z.object({
        type: z.literal("Feature"),
        geometry: z.object({ type: z.string(), coordinates: z.array(z.unknown()) }),
        properties: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .openapi("FeatureCollection");

export const LinkIdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Z]-[A-Z0-9-]{3,40}$/, "malformed link id")
    .openapi({ param: { name: "id", in: "path" }, example: "D-KHJ-SST" }),
});

export const LinkStatusChange = z
  .strictObject({
    status: z.enum(["open", "closed"]),
    until: isoDateTime
      .nullable()
      .optional()
      .openapi({ description: "A closure ends by itself then" }),
    reason: text(500).optional(),
  })
  .openapi("LinkStatusChange");
