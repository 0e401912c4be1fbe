import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { type Bidder, bidBody, carrierWithTruck, postLoad } from "./support";

const node = await createTestNode();
const shipper = await registerShipper(node);
const [a, b] = [await carrierWithTruck(node), await carrierWithTruck(node)] as [Bidder, Bidder];

async function quote(key: string, from: string, to: string, weightKg = 12_000): Promise<string> {
  return (await quoteAnswer(key, from, to, weightKg)).quoteId;
}

async function quoteAnswer(
  key: string,
  from: string,
  to: string,
  weightKg = 12_000,
  modes = ["road"],
): Promise<any> {
  const res = await node.call("POST", "/v1/routes/quote", {
    key,
    body: {
      from,
      to,
      cargo: { weightKg, volumeM3: 40 },
      departAt: new Date(Date.now() + 50 * 3_600_000).toISOString(),
      optimise: "cost",
      modes,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe("bids citing a routing quote", () => {
  it("accepts the carrier's own quote for the load's hubs and keeps it on the bid", async () => {
    const load = await postLoad(node, shipper.key);
    const quoteId = await quote(a.key, "CN-URC", "KZ-ALA");
    const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: a.key,
      body: bidBody(a.vehicleId, { quoteId }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.quoteId).toBe(quoteId);
  });

  it("refuses another carrier's quote as not found", async () => {
    const load = await postLoad(node, shipper.key);
    const theirs = await quote(b.key, "CN-URC", "KZ-ALA");
    const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: a.key,
      body: bidBody(a.vehicleId, { quoteId: theirs }),
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ reason: "QUOTE_NOT_FOUND" });
    expect(res.body.error.details[0].path).toBe("quoteId");
  });

  it("refuses a quote for other hubs", async () => {
    const load = await postLoad(node, shipper.key);
    const elsewhere = await quote(a.key, "CN-URC", "CN-KHG");
    const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: a.key,
      body: bidBody(a.vehicleId, { quoteId: elsewhere }),
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ reason: "QUOTE_MISMATCH" });
  });
});

describe("an award of a bid citing a quote", () => {
  it("carries the quote's legs, crossing and figures into the waybill (Urumqi → Almaty via Khorgos)", async () => {
    const load = await postLoad(node, shipper.key);
    const q = await quoteAnswer(a.key, "CN-URC", "KZ-ALA");
    const [route] = q.routes;
    const bid = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: a.key,
      body: bidBody(a.vehicleId, { quoteId: q.quoteId, mode: undefined }),
    });
    expect(bid.status, JSON.stringify(bid.body)).toBe(201);
    // The bid's CO2e is the quote's, not a great-circle estimate of its own.
    expect(bid.body.co2eKg).toBe(route.totals.co2eKg);
    expect(bid.body.legs).toHaveLength(route.legs.length);

    const award = await node.call("POST", `/v1/loads/${load.id}/award`, {
      key: shipper.key,
      body: { bidId: bid.body.id },
    });
    expect(award.status, JSON.stringify(award.body)).toBe(201);
    const w = award.body.waybill;
    type QuoteLeg = { mode: string; from: string; to: string; crossing?: string };
    expect(
      w.legs.map((l: { mode: string; from: { hub: string }; to: { hub: string } }) => [
        l.mode,
        l.from.hub,
        l.to.hub,
      ]),
    ).toEqual(route.legs.map((l: QuoteLeg) => [l.mode, l.from, l.to]));
    expect(route.legs.map((l: QuoteLeg) => l.to)).toContain("KZ-AKL");
    for (const [i, leg] of route.legs.entries()) {
      expect(w.legs[i].figures).toMatchObject({
        linkId: leg.linkId,
        distanceKm: leg.distanceKm,
        durationHours: leg.durationHours,
        cost: leg.cost,
        co2eKg: leg.co2eKg,
      });
    }
    expect(w.route).toMatchObject({
      quoteId: q.quoteId,
      distanceKm: route.totals.distanceKm,
      durationHours: route.totals.durationHours,
      cost: route.totals.cost,
      currency: "USD",
      co2eKg: route.totals.co2eKg,
    });
    // The crossing where the quote crosses it, after its leg: not at the destination.
    const crossingLeg = route.legs.findIndex((l: QuoteLeg) => l.crossing === "X-KHR-NUR");
    expect(crossingLeg).toBeGreaterThanOrEqual(0);
    const crossings = w.points.filter((p: { kind: string }) => p.kind === "border_crossing");
    expect(crossings).toEqual([
      expect.objectContaining({
        afterLeg: crossingLeg,
        crossing: "X-KHR-NUR",
        place: expect.objectContaining({ hub: route.legs[crossingLeg].to }),
      }),
    ]);
    expect(crossings[0].place.hub).not.toBe("KZ-ALA");
    // The quote's timetable, moved to the bid's pickup.
    const shift = Date.parse(bid.body.pickupAt) - Date.parse(route.legs[0].departAt);
    for (const [i, leg] of route.legs.entries()) {
      expect(Date.parse(w.legs[i].plannedDeparture)).toBe(Date.parse(leg.departAt) + shift);
      expect(Date.parse(w.legs[i].plannedArrival)).toBe(Date.parse(leg.arriveAt) + shift);
    }
    const read = await node.call("GET", `/v1/waybills/${w.number}`, { key: shipper.key });
    expect(read.body.legs).toEqual(w.legs);
    expect(read.body.points).toEqual(w.points);
  });

  it("by rail: the crossing and the gauge change at Altynkol, hub handling in the CO2e", async () => {
    const rail = await carrierWithTruck(node, {
      truck: { mode: "rail", plate: "CSQU 305438 3", gauge: 1520, capacityKg: 26_000 },
    });
    const load = await postLoad(node, shipper.key);
    const q = await quoteAnswer(rail.key, "CN-URC", "KZ-ALA", 12_000, ["rail"]);
    const [route] = q.routes;
    const bid = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: rail.key,
      body: bidBody(rail.vehicleId, { quoteId: q.quoteId, mode: "rail" }),
    });
    expect(bid.status, JSON.stringify(bid.body)).toBe(201);
    expect(bid.body.co2eKg).toBe(route.totals.co2eKg);
    expect(route.emissions.hubsKg).toBeGreaterThan(0);
    const award = await node.call("POST", `/v1/loads/${load.id}/award`, {
      key: shipper.key,
      body: { bidId: bid.body.id },
    });
    expect(award.status, JSON.stringify(award.body)).toBe(201);
    const w = award.body.waybill;
    expect(w.legs).toHaveLength(route.legs.length);
    const crossing = route.legs.findIndex((l: { crossing?: string }) => l.crossing);
    const gaugeChange = route.stops.find((s: { type: string }) => s.type === "gauge-change");
    expect(gaugeChange).toBeDefined();
    expect(w.points).toEqual([
      expect.objectContaining({
        kind: "border_crossing",
        afterLeg: crossing,
        crossing: route.legs[crossing].crossing,
      }),
      expect.objectContaining({
        kind: "transshipment",
        afterLeg: crossing,
        place: expect.objectContaining({ hub: gaugeChange.hub }),
        note: expect.stringContaining("gauge change 1435 → 1520 mm"),
      }),
    ]);
    expect(w.route.co2eKg).toBe(route.totals.co2eKg);
  });

  it("refuses a quote for another weight", async () => {
    const load = await postLoad(node, shipper.key);
    const other = await quote(a.key, "CN-URC", "KZ-ALA", 8_000);
    const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: a.key,
      body: bidBody(a.vehicleId, { quoteId: other }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error).toMatchObject({ reason: "QUOTE_MISMATCH" });
    expect(res.body.error.details[0].path).toBe("quoteId");
  });

  it("refuses legs other than the quote's", async () => {
    const load = await postLoad(node, shipper.key);
    const quoteId = await quote(a.key, "CN-URC", "KZ-ALA");
    const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: a.key,
      body: bidBody(a.vehicleId, {
        quoteId,
        mode: undefined,
        legs: [{ mode: "road", from: "CN-URC", to: "KZ-ALA" }],
      }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error).toMatchObject({ reason: "QUOTE_MISMATCH" });
    expect(res.body.error.details[0].path).toBe("legs");
  });
});
