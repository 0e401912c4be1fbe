import { expect } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { refreshAllReports } from "../../core/reports/refresh";
import { appendWaybillEvent } from "../../core/waybills/events";
import type { WaybillState } from "../../db/schema";
import { type Bidder, loadBody } from "../marketplace/support";
import type { TestNode } from "../support/app";
import type { Registered } from "../support/fixtures";

/** A seeded PRNG (mulberry32): the same queries and data on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Shipment {
  shipper: Registered;
  carrier: Bidder;
  from: string;
  to: string;
  mode: "road" | "rail";
  /** Legs by hub, all by \`mode\`, instead of one leg from \`from\` to \`to\`. */
  via?: string[];
  weightKg: number;
  hsCode: string;
  priceCny: number;
  /** When it is picked up: the day its facts fall on. */
  pickupAt: Date;
  /** Later events, by the carrier, after pickup. */
  events?: { type: string; at: Date; location?: string; details?: Record<string, unknown> }[];
}

/** Issues a waybill over the API and records its pickup and later events; returns its number. */
export async function ship(node: TestNode, s: Shipment): Promise<string> {
  const res = await node.call("POST", "/v1/waybills", {
    key: s.shipper.key,
    body: {
      carrierId: s.carrier.id,
      origin: s.from,
      destination: s.to,
      cargo: { ...loadBody().cargo, weightKg: s.weightKg, hsCode: s.hsCode },
      price: { amount: s.priceCny, currency: "CNY" },
      ...(s.via
        ? {
            legs: [s.from, ...s.via].map((from, i) => ({
              mode: s.mode,
              from,
              to: [...s.via!, s.to][i],
            })),
          }
        : { mode: s.mode }),
      pickupAt: s.pickupAt.toISOString(),
      deliveryAt: new Date(s.pickupAt.getTime() + 96 * 3_600_000).toISOString(),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const number = res.body.number as string;
  const events = [{ type: "picked_up", at: s.pickupAt, location: s.from }, ...(s.events ?? [])];
  // Scenarios lie ahead of the real clock, and the node refuses events dated ahead of its own:
  // each is recorded as it happens, by the node with its clock at the event's time.
  const system = systemCtxFactory(node.parts)("test");
  for (const e of events) {
    await appendWaybillEvent(
      { ...system, clock: { now: () => e.at } },
      {
        number,
        event: {
          type: e.type as WaybillState,
          occurredAt: e.at.toISOString(),
          location: e.location,
          details: "details" in e ? e.details : undefined,
        },
      },
    );
  }
  return number;
}

export const refreshReportsOf = (node: TestNode) =>
  refreshAllReports(systemCtxFactory(node.parts)("test"));
