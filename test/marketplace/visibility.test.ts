import { describe, expect, it } from "vitest";
import { systemClock } from "../../core/context";
import { findVisibleLoad } from "../../core/marketplace/read-loads";
import { carrierProfile, carrierSeesLoad } from "../../core/marketplace/visibility";
import { createTestNode } from "../support/app";
import { qualifications, registerShipper } from "../support/fixtures";
import { bidBody, carrierWithTruck, loadBody, postLoad } from "./support";

// Which loads a carrier sees is written twice: as SQL for listings (loadVisibility) and in
// JS for a load already locked for bidding (carrierSeesLoad). They must agree on every case.
const node = await createTestNode();
const shipper = await registerShipper(node);
const permit = (expiresOn: string) =>
  qualifications({ dangerousGoods: { permitNumber: "DG-1", classes: ["3"], expiresOn } });
const railUnit = { mode: "rail", plate: "CSQU 305438 3", gauge: 1435 };
const carriers = [
  await carrierWithTruck(node, { body: { modes: ["road"], qualifications: qualifications() } }),
  await carrierWithTruck(node, {
    body: { modes: ["rail", "road"], qualifications: permit("2035-12-31") },
  }),
  await carrierWithTruck(node, {
    body: { modes: ["rail"], qualifications: permit("2020-01-01") },
    truck: railUnit,
  }),
];
const dg = (cls: string, unNumber: string) => ({
  cargo: { ...loadBody().cargo, dangerousGoods: { unNumber, class: cls } },
});

const loads: { id: string }[] = [];
for (const modes of [["road"], ["rail"]]) {
  for (const over of [{}, dg("3", "UN1203"), dg("8", "UN1789")]) {
    for (const cancel of [false, true]) {
      const load = await postLoad(node, shipper.key, { modes, ...over });
      loads.push(load);
      if (!cancel) continue;
      // Where it may, the first carrier bids before the cancellation: a bidder keeps seeing it.
      await node.call("POST", `/v1/loads/${load.id}/bids`, {
        key: carriers[0]?.key,
        body: bidBody(carriers[0]?.vehicleId ?? ""),
      });
      const cancelled = await node.call("POST", `/v1/loads/${load.id}/cancel`, {
        key: shipper.key,
        body: {},
      });
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBeLessThan(300);
    }
  }
}

const answers: boolean[] = [];
const cases = carriers.flatMap((c, ci) => loads.map((l, li) => ({ c, l, ci, li })));

describe("carrier visibility, SQL and JS", () => {
  it.each(cases)("carrier $ci, load $li", async ({ c, l }) => {
    const actor = {
      kind: "carrier" as const,
      orgId: c.id,
      orgStatus: "verified" as const,
      keyId: "key_x",
    };
    const ctx = {
      db: node.database.db,
      clock: systemClock,
      identity: node.identity,
      network: node.network,
      actor,
    };
    const viaSql = await findVisibleLoad(ctx, l.id).then(
      () => true,
      () => false,
    );
    const row = await findVisibleLoad({ ...ctx, actor: { kind: "system", name: "test" } }, l.id);
    const profile = await carrierProfile(ctx, c.id);
    if (!profile) throw new Error("carrier profile missing");
    expect(await carrierSeesLoad(ctx, profile, row)).toBe(viaSql);
    answers.push(viaSql);
  });

  it("judges a permit's expiry by the context's clock, not the wall clock", async () => {
    const carrier = carriers[1]; // rail and road, class 3 permit until 2035-12-31
    const openDgRoadLoad = loads[2]; // road, class 3, still open; carrier 1 has not bid
    if (!carrier || !openDgRoadLoad) throw new Error("fixtures missing");
    const actor = {
      kind: "carrier" as const,
      orgId: carrier.id,
      orgStatus: "verified" as const,
      keyId: "key_x",
    };
    const base = { db: node.database.db, identity: node.identity, network: node.network, actor };
    const system = { ...base, actor: { kind: "system" as const, name: "test" } };
    const row = await findVisibleLoad({ ...system, clock: systemClock }, openDgRoadLoad.id);
    for (const [day, sees] of [
      ["2035-12-31T23:00:00Z", true],
      ["2036-01-01T01:00:00Z", false],
    ] as const) {
      const ctx = { ...base, clock: { now: () => new Date(day) } };
      const viaSql = await findVisibleLoad(ctx, openDgRoadLoad.id).then(
        () => true,
        () => false,
      );
      const profile = await carrierProfile(ctx, carrier.id);
      if (!profile) throw new Error("carrier profile missing");
      expect({ day, viaSql }).toEqual({ day, viaSql: sees });
      expect({ day, viaJs: await carrierSeesLoad(ctx, profile, row) }).toEqual({
        day,
        viaJs: sees,
      });
    }
  });

  it("met both answers", () => {
    expect(answers).toContain(true);
    expect(answers).toContain(false);
  });
});
