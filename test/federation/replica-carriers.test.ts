import { describe, expect, it } from "vitest";
import { loadBody } from "../marketplace/support";
import { type Registered, registerCarrier, registerShipper } from "../support/fixtures";
import { queueBackends } from "../support/queues";
import { eventually } from "./support";
import { registerPartner, type ServedNode, servedNode } from "./transport-support";

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
// Valid Kazakh BINs: a carrier keeps its number at every node it registers with.
const RELAY_BIN = "180440026588";
const OTHER_BIN = "020540003431";
const kazakh = (bin: string) => ({
  body: { country: "KZ", creditCode: undefined, registrationNumber: bin, modes: ["rail"] },
});

// Two nodes over HTTP on loopback: XJ issues a waybill whose rail leg is run by a Kazakh
// carrier, and that carrier, registered at KZ too, reports its leg on KZ's replica.
const [backend] = queueBackends();
describe.skipIf(!backend)("a carrier registered at a partner node", async () => {
  if (!backend) return;
  const xj = await servedNode("XJ", backend);
  const kz = await servedNode("KZ", backend);
  await registerPartner(xj, kz, { countries: ["KZ"], regions: [] });
  await registerPartner(kz, xj, { countries: ["CN"], regions: ["65"] });
  const shipper = await registerShipper(xj.node);
  const roadCarrier = await registerCarrier(xj.node);
  const relay = await registerCarrier(xj.node, kazakh(RELAY_BIN));
  const roadCode = roadCarrier.organization.creditCode as string;
  // The same companies as registered at KZ, and two that are not the leg's carrier.
  const relayAtKz = await registerCarrier(kz.node, kazakh(RELAY_BIN));
  const roadAtKz = await registerCarrier(kz.node, { body: { creditCode: roadCode } });
  const otherAtKz = await registerCarrier(kz.node, kazakh(OTHER_BIN));
  const shipperAtKz = await registerShipper(kz.node);

  async function issue(): Promise<string> {
    const now = Date.now();
    const res = await xj.node.call("POST", "/v1/waybills", {
      key: shipper.key,
      body: {
        carrierId: roadCarrier.id,
        origin: "CN-URC",
        destination: "KZ-ALA",
        cargo: loadBody().cargo,
        price: { amount: 18_000, currency: "CNY" },
        legs: [
          { mode: "road", from: "CN-URC", to: "CN-KHG" },
          { mode: "rail", from: "CN-KHG", to: "KZ-ALA", carrierId: relay.id },
        ],
        pickupAt: iso(now - 120 * MINUTE),
        deliveryAt: iso(now + 72 * 60 * MINUTE),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.number as string;
  }

  const readAt = (at: ServedNode, no: string) =>
    at.node.call("GET", `/v1/waybills/${no}`, { key: at.node.adminKey });
  const arrives = (at: ServedNode, no: string, status?: string) =>
    eventually(async () => {
      const res = await readAt(at, no);
      return res.status === 200 && (status === undefined || res.body.status === status);
    }, 15_000);
  const report = (at: ServedNode, who: Registered, no: string, type: string, ms: number) =>
    at.node.call("POST", `/v1/waybills/${no}/events`, {
      key: who.key,
      body: { type, occurredAt: iso(ms) },
    });
  const registrations = async (at: ServedNode, no: string) => {
    const [w] = await at.node.database.sql<{ reg: unknown }[]>`
      select carrier_registration as reg from waybills where number = ${no}`;
    const legs = await at.node.database.sql<{ reg: unknown }[]>`
      select carrier_registration as reg from waybill_legs where waybill_number = ${no}
       order by seq`;
    return { waybill: w?.reg, legs: legs.map((l) => l.reg) };
  };

  const number = await issue();
  // After the `created` event, which the node records at the time of issue.
  // Events are reported STEP apart: the node refuses any dated more than five minutes ahead.
  const STEP = MINUTE / 2;
  const base = Date.now() + MINUTE;

  it("carries the carriers' registrations to KZ under an internal agreement", async () => {
    expect(await arrives(kz, number)).toBe(true);
    const shared = {
      waybill: { country: "CN", number: roadCode },
      legs: [
        { country: "CN", number: roadCode },
        { country: "KZ", number: RELAY_BIN },
      ],
    };
    expect(await registrations(xj, number)).toEqual(shared);
    expect(await registrations(kz, number)).toEqual(shared);
  });

  it("lets the leg's carrier, registered at KZ, report it there, and XJ hears it once", async () => {
    for (const [i, type] of ["picked_up", "in_transit", "transshipped"].entries()) {
      const res = await report(xj, roadCarrier, number, type, base + i * STEP);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    expect(await arrives(kz, number, "transshipped")).toBe(true);
    for (const [i, type] of ["at_border", "cleared"].entries()) {
      const res = await report(kz, relayAtKz, number, type, base + (3 + i) * STEP);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    expect(await arrives(xj, number, "cleared")).toBe(true);
    const [echo] = await xj.node.database.sql<{ n: number }[]>`
      select count(*)::int as n from federation_outbox where origin = 'KZ'`;
    expect(echo?.n).toBe(0);
    const [atXj] = await xj.node.database.sql<{ n: number }[]>`
      select count(*)::int as n from waybill_events
       where waybill_number = ${number} and type in ('at_border', 'cleared')`;
    expect(atXj?.n).toBe(2);
  });

  describe.each([
    ["a carrier with another registration number", () => otherAtKz, 404, "NOT_FOUND"],
    ["the first leg's carrier, in the second leg", () => roadAtKz, 403, "NOT_CURRENT_CARRIER"],
    ["a shipper of the partner node", () => shipperAtKz, 404, "NOT_FOUND"],
  ] as const)("refuses %s", (_, who, status, reason) => {
    it(`answers ${status}`, async () => {
      const res = await report(kz, who(), number, "in_transit", base + 5 * STEP);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.reason ?? res.body.error.code).toBe(reason);
      expect((await readAt(kz, number)).body.status).toBe("cleared");
    });
  });

  it("shares no registration under a public agreement", async () => {
    const patched = await xj.node.call("PATCH", "/v1/partners/KZ", {
      key: xj.node.adminKey,
      body: { agreement: { maxClassification: "public" } },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const later = await issue();
    expect(await arrives(kz, later)).toBe(true);
    expect(await registrations(kz, later)).toEqual({ waybill: null, legs: [null, null] });
    const wire = kz.inbox.map((r) => r.body).filter((b) => b.includes(`"waybill":"${later}"`));
    expect(wire.length).toBeGreaterThan(0);
    expect(wire.join("\n")).not.toContain("carrierRegistration");
    // Nor may the relay's company report on it at KZ: the replica cannot name it.
    const res = await report(kz, relayAtKz, later, "picked_up", Date.now() + MINUTE);
    expect(res.status, JSON.stringify(res.body)).toBe(404);
  });
});
