import { beforeAll, describe, expect, it } from "vitest";
import { currentLegAt } from "../../core/waybills/events";
import { createTestNode, type TestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { type Bidder, carrierWithTruck, loadBody } from "./support";

/**
 * Times from the waybill's issue, 4 s apart: tracking events follow the `created` event and may
 * not be dated more than five minutes ahead of the node's clock.
 */
let issuedAt = Date.now();
const t = (m: number) => new Date(issuedAt + m * 4_000).toISOString();

describe("currentLegAt", () => {
  const legs = [{ seq: 2 }, { seq: 1 }, { seq: 3 }];
  it.each([
    [[], 5, 1],
    [[10], 5, 1],
    [[10], 10, 1],
    [[10], 11, 2],
    [[10, 20], 21, 3],
    [[10, 20, 30], 40, 3],
  ])("transshipments at %j, event at %i → leg %i", (at, when, seq) => {
    const dates = at.map((m) => new Date(t(m)));
    expect(currentLegAt(legs, dates, new Date(t(when)))?.seq).toBe(seq);
  });
});

describe("tracking events come from the carrier of the current leg", () => {
  let node: TestNode;
  let shipper: { id: string; key: string };
  let road: Bidder;
  let rail: Bidder;
  let no: string;
  const post = (key: string, body: Record<string, unknown>) =>
    node.call("POST", `/v1/waybills/${no}/events`, { key, body });

  beforeAll(async () => {
    node = await createTestNode();
    shipper = await registerShipper(node);
    road = await carrierWithTruck(node);
    rail = await carrierWithTruck(node);
    issuedAt = Date.now();
    const res = await node.call("POST", "/v1/waybills", {
      key: shipper.key,
      body: {
        carrierId: road.id,
        origin: "CN-URC",
        destination: "KZ-ALA",
        cargo: loadBody().cargo,
        price: { amount: 18_000, currency: "CNY" },
        legs: [
          { mode: "road", from: "CN-URC", to: "CN-KHG" },
          { mode: "rail", from: "CN-KHG", to: "KZ-ALA", carrierId: rail.id },
        ],
        pickupAt: t(0),
        deliveryAt: t(3000),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    no = res.body.number;
  });

  it("follows the journey from leg to leg, refusing the other carrier with its reason", async () => {
    const early = await post(rail.key, { type: "picked_up", occurredAt: t(1) });
    expect(early.status, JSON.stringify(early.body)).toBe(403);
    expect(early.body.error.reason).toBe("NOT_CURRENT_CARRIER");
    expect(early.body.error.message).toContain("leg 1 of 2");

    expect((await post(road.key, { type: "picked_up", occurredAt: t(1) })).status).toBe(201);
    expect((await post(road.key, { type: "in_transit", occurredAt: t(2) })).status).toBe(201);
    expect((await post(road.key, { type: "transshipped", occurredAt: t(3) })).status).toBe(201);

    const after = await post(road.key, { type: "in_transit", occurredAt: t(4) });
    expect(after.status, JSON.stringify(after.body)).toBe(403);
    expect(after.body.error.reason).toBe("NOT_CURRENT_CARRIER");
    expect(after.body.error.message).toContain("leg 2 of 2");
    expect((await post(rail.key, { type: "in_transit", occurredAt: t(4) })).status).toBe(201);

    // A late report of the first stretch still belongs to its road carrier.
    const late = await post(road.key, {
      type: "in_transit",
      occurredAt: t(2.5),
      details: { km: 120 },
    });
    expect(late.status, JSON.stringify(late.body)).toBe(201);
  });

  it("lets the shipper confirm delivery and admins report anything", async () => {
    const byAdmin = await post(node.adminKey, { type: "delivered", occurredAt: t(60) });
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(201);
    const podByRail = await post(rail.key, { type: "pod_confirmed", occurredAt: t(61) });
    expect(podByRail.status).toBe(403);
    const pod = await post(shipper.key, { type: "pod_confirmed", occurredAt: t(61) });
    expect(pod.status, JSON.stringify(pod.body)).toBe(201);
    const wb = await node.call("GET", `/v1/waybills/${no}`, { key: shipper.key });
    expect(wb.body.status).toBe("pod_confirmed");
  });
});
