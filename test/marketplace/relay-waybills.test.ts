import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { carrierBody, registerCarrier, registerShipper } from "../support/fixtures";
import { loadBody } from "./support";

// A cross-border relay: a Chinese carrier to the border, a Kazakh one beyond it.
const node = await createTestNode();
const shipper = await registerShipper(node);
const chinese = await registerCarrier(node);
const kazakh = await registerCarrier(node, {
  body: carrierBody({ country: "KZ", creditCode: undefined, registrationNumber: "180440026588" }),
});
const pending = await registerCarrier(node, { verify: false });
const t = (hours: number) => new Date(Date.now() + (48 + hours) * 3_600_000).toISOString();

const body = (secondCarrier: string) => ({
  carrierId: chinese.id,
  origin: "CN-URC",
  destination: "KZ-ALA",
  cargo: loadBody().cargo,
  price: { amount: 21_000, currency: "CNY" },
  legs: [
    { mode: "road", from: "CN-URC", to: "CN-KHR" },
    { mode: "road", from: "CN-KHR", to: "KZ-ALA", carrierId: secondCarrier },
  ],
  pickupAt: t(0),
  deliveryAt: t(72),
});

describe("direct waybills with a carrier per leg", () => {
  it("records each leg's carrier, and lets each read the waybill", async () => {
    const res = await node.call("POST", "/v1/waybills", {
      key: shipper.key,
      body: body(kazakh.id),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.legs.map((l: { carrierId: string }) => l.carrierId)).toEqual([
      chinese.id,
      kazakh.id,
    ]);
    const no = res.body.number;
    for (const key of [chinese.key, kazakh.key]) {
      expect((await node.call("GET", `/v1/waybills/${no}`, { key })).status).toBe(200);
    }
  });

  it.each([
    ["an unknown carrier", "org_01M844S8JXKX0ZZQGAVBAHEQG6", "CARRIER_NOT_FOUND"],
    ["an unverified carrier", () => pending.id, "CARRIER_NOT_VERIFIED"],
  ])("refuses %s on a leg, naming the leg", async (_, id, reason) => {
    const carrierId = typeof id === "function" ? id() : id;
    const res = await node.call("POST", "/v1/waybills", {
      key: shipper.key,
      body: body(carrierId),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.reason).toBe(reason);
    expect(res.body.error.details[0].path).toBe("legs.1.carrierId");
  });
});
