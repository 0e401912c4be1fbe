import { describe, expect, it } from "vitest";
import {
  concernsPartner,
  type WaybillGeography,
  type WaybillJourney,
  waybillGeography,
} from "../../core/federation/agreement";
import {
  PARTNER_RECORD_CLASSES,
  stripToClassification,
} from "../../core/federation/classification";
import type { Place, Waybill, WaybillEvent } from "../../db/schema";
import { loadSeedEngine } from "../../seed/network";

const network = loadSeedEngine();
const at = (hub: string): Place => {
  const h = network.hub(hub);
  if (!h) throw new Error(`no hub ${hub}`);
  return { hub, country: h.country, lat: h.lat, lon: h.lon };
};
const journey = (...hubs: string[]): WaybillJourney => {
  const places = hubs.map(at);
  const legs = places.slice(1).map((to, i) => ({ from: places[i] as Place, to }));
  return {
    origin: places[0] as Place,
    destination: places.at(-1) as Place,
    legs,
    points: [],
  };
};

describe("waybillGeography", () => {
  it("Urumqi → Alashankou → Dostyk → Almaty touches CN (two Xinjiang divisions) and KZ", () => {
    expect(waybillGeography(network, journey("CN-URC", "CN-AKS", "KZ-DOS", "KZ-ALA"))).toEqual({
      countries: ["CN", "KZ"],
      regions: ["650100", "652702"],
    });
  });

  it("adds the transit countries of the link a leg runs on", () => {
    const geo = waybillGeography(network, journey("TR-IST", "HU-BUD"));
    expect(geo.countries).toEqual(["BG", "HU", "RS", "TR"]);
  });

  it("adds both sides of a crossing the leg runs through", () => {
    // One leg from Alashankou to Dostyk: the link crosses X-AKS-DOS (CN, KZ).
    const leg = journey("CN-AKS", "KZ-DOS");
    const onlyChina: WaybillJourney = { ...leg, destination: leg.origin };
    expect(waybillGeography(network, onlyChina).countries).toEqual(["CN", "KZ"]);
  });

  it("reads handover points and free addresses too", () => {
    const address: Place = { address: "Khorgos FEZ", country: "CN", lat: 44.2, lon: 80.4 };
    const geo = waybillGeography(network, {
      origin: address,
      destination: address,
      legs: [],
      points: [{ kind: "border_crossing", afterLeg: 0, place: at("KZ-DOS") }],
    });
    expect(geo).toEqual({ countries: ["CN", "KZ"], regions: [] });
  });
});

describe("concernsPartner", () => {
  const toAlmaty: WaybillGeography = { countries: ["CN", "KZ"], regions: ["650100", "652702"] };
  const lanzhouToXian: WaybillGeography = { countries: ["CN"], regions: ["610100", "620100"] };
  const urumqiLocal: WaybillGeography = { countries: ["CN"], regions: ["650100"] };
  const none = { countries: [], regions: [] };

  it.each([
    ["KZ by country", { countries: ["KZ"], regions: [] }, toAlmaty, true],
    [
      "KZ by country, never in Kazakhstan",
      { countries: ["KZ"], regions: [] },
      lanzhouToXian,
      false,
    ],
    ["Gansu (62) by province", { countries: [], regions: ["62"] }, lanzhouToXian, true],
    ["Gansu (62), a Xinjiang-only journey", { countries: [], regions: ["62"] }, toAlmaty, false],
    ["Lanzhou city (6201)", { countries: [], regions: ["6201"] }, lanzhouToXian, true],
    ["Lanzhou exactly (620100)", { countries: [], regions: ["620100"] }, lanzhouToXian, true],
    [
      "Tianshui (6205), not on the journey",
      { countries: [], regions: ["6205"] },
      lanzhouToXian,
      false,
    ],
    ["Xinjiang (65) at Urumqi", { countries: [], regions: ["65"] }, urumqiLocal, true],
    [
      "CN by country matches every Chinese journey",
      { countries: ["CN"], regions: [] },
      urumqiLocal,
      true,
    ],
    ["either list matching is enough", { countries: ["UZ"], regions: ["65"] }, toAlmaty, true],
    ["empty lists share nothing", none, toAlmaty, false],
    ["a journey with no known place", { countries: ["KZ"], regions: ["65"] }, none, false],
  ])("%s", (_, agreement, geography, expected) => {
    expect(concernsPartner(agreement, geography)).toBe(expected);
  });
});

describe("stripToClassification", () => {
  const waybill: Waybill = {
    number: "XJ-2026-00000001-0",
    loadId: "ld_1",
    bidId: "bid_1",
    shipperId: "org_s",
    carrierId: "org_c",
    carrierRegistration: { country: "KZ", number: "180440026588" },
    origin: at("CN-URC"),
    destination: at("KZ-ALA"),
    cargo: { weightKg: 1000, volumeM3: 2, packages: 4, hsCode: "5201" },
    priceAmount: 12_000,
    priceCurrency: "CNY",
    points: [],
    route: null,
    status: "in_transit",
    homeNode: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    version: 3,
  };

  it.each([
    [
      "public",
      [
        "createdAt",
        "carrierId",
        "destination",
        "homeNode",
        "number",
        "origin",
        "points",
        "shipperId",
        "status",
      ],
    ],
    [
      "internal",
      [
        "bidId",
        "cargo",
        "carrierId",
        "carrierRegistration",
        "createdAt",
        "destination",
        "homeNode",
        "loadId",
        "number",
        "origin",
        "points",
        "route",
        "shipperId",
        "status",
        "updatedAt",
        "version",
      ],
    ],
  ] as const)("a waybill up to %s keeps only those fields", (max, kept) => {
    const out = stripToClassification(waybill, PARTNER_RECORD_CLASSES.waybill, max);
    expect(Object.keys(out).sort()).toEqual([...kept].sort());
    expect(out).not.toHaveProperty("priceAmount");
    expect(out).not.toHaveProperty("priceCurrency");
  });

  it("keeps everything up to sensitive", () => {
    const out = stripToClassification(waybill, PARTNER_RECORD_CLASSES.waybill, "sensitive");
    expect(out).toEqual(waybill);
  });

  it("drops an event's sensitive details below sensitive", () => {
    const event: WaybillEvent = {
      id: 7,
      waybillNumber: waybill.number,
      type: "at_border",
      occurredAt: new Date(),
      location: at("KZ-DOS"),
      details: { contact: "+7 727 555 0100" },
      fingerprint: "f",
      reportedBy: "org_c",
      recordedAt: new Date(),
      recordedBy: "XJ",
      signatureKid: "kid",
      signature: "sig",
    };
    const out = stripToClassification(event, PARTNER_RECORD_CLASSES.event, "internal");
    expect(out).not.toHaveProperty("details");
    expect(out).toMatchObject({ type: "at_border", reportedBy: "org_c" });
  });

  it("drops a field its table has not classified", () => {
    const extra = { ...waybill, contactPhone: "+86 991 555 0100" };
    const out = stripToClassification(extra, PARTNER_RECORD_CLASSES.waybill as never, "sensitive");
    expect(out).not.toHaveProperty("contactPhone");
  });
});
