import { expect } from "vitest";
import type { TestNode } from "../support/app";
import { registerCarrier, registerShipper, vehicleBody } from "../support/fixtures";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function loadBody(over: Record<string, unknown> = {}, now = Date.now()) {
  return {
    origin: "CN-URC",
    destination: "KZ-ALA",
    cargo: { weightKg: 12_000, volumeM3: 40, packages: 24, hsCode: "520100" },
    pickupWindow: { from: iso(now + 48 * HOUR), to: iso(now + 72 * HOUR) },
    deliverBy: iso(now + 240 * HOUR),
    modes: ["road", "rail"],
    reservePrice: { amount: 30_000, currency: "CNY" },
    biddingClosesAt: iso(now + 24 * HOUR),
    awardRule: "manual",
    ...over,
  };
}

export function bidBody(vehicleId: string, over: Record<string, unknown> = {}, now = Date.now()) {
  return {
    price: { amount: 25_000, currency: "CNY" },
    mode: "road",
    vehicleIds: [vehicleId],
    pickupAt: iso(now + 50 * HOUR),
    deliveryAt: iso(now + 120 * HOUR),
    validUntil: iso(now + 200 * HOUR),
    ...over,
  };
}

let plate = 10_000;
/** A unique, valid Xinjiang plate. */
export function nextPlate(): string {
  plate += 1;
  return `新A${String(plate).slice(-5)}`;
}

export interface Bidder {
  id: string;
  key: string;
  vehicleId: string;
}

export async function carrierWithTruck(
  node: TestNode,
  opts: { verify?: boolean; body?: Record<string, unknown>; truck?: Record<string, unknown> } = {},
): Promise<Bidder> {
  const c = await registerCarrier(node, { verify: opts.verify, body: opts.body });
  const v = await node.call("POST", `/v1/carriers/${c.id}/vehicles`, {
    key: c.key,
    body: vehicleBody({ plate: nextPlate(), ...opts.truck }),
  });
  expect(v.status, JSON.stringify(v.body)).toBe(201);
  return { id: c.id, key: c.key, vehicleId: v.body.id };
}

export async function postLoad(node: TestNode, key: string, over: Record<string, unknown> = {}) {
  const res = await node.call("POST", "/v1/loads", { key, body: loadBody(over) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; status: string };
}

export async function placeBid(node: TestNode, loadId: string, b: Bidder, over = {}) {
  const res = await node.call("POST", `/v1/loads/${loadId}/bids`, {
    key: b.key,
    body: bidBody(b.vehicleId, over),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; status: string };
}

/**
 * The organisation's feed once it shows an event of `type` (on `entityId`). The feed shows an
 * event once every older transaction on the server has ended, so under load, in any of the
 * server's databases, an event committed a moment ago may not be listed yet.
 */
export async function feedShowing(node: TestNode, key: string, type: string, entityId?: string) {
  const end = Date.now() + 20_000;
  for (;;) {
    const res = await node.call("GET", "/v1/feed?limit=500", { key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const items = res.body.items as { type: string; entityId: string }[];
    const shown = items.some((e) => e.type === type && (!entityId || e.entityId === entityId));
    if (shown || Date.now() > end) return items;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export { registerShipper };

/**
 * A waybill issued directly by a new shipper to a new carrier with a truck, Ürümqi → Almaty by
 * road (201 checked); returns its number and both parties.
 */
export async function directWaybill(node: TestNode, body: Record<string, unknown> = {}) {
  const shipper = await registerShipper(node);
  const carrier = await carrierWithTruck(node);
  const res = await node.call("POST", "/v1/waybills", {
    key: shipper.key,
    body: {
      carrierId: carrier.id,
      origin: "CN-URC",
      destination: "KZ-ALA",
      cargo: loadBody().cargo,
      price: { amount: 1000, currency: "CNY" },
      mode: "road",
      pickupAt: new Date(Date.UTC(2030, 0, 1)).toISOString(),
      deliveryAt: new Date(Date.UTC(2030, 0, 3)).toISOString(),
      ...body,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { number: String(res.body.number), shipper, carrier };
}
