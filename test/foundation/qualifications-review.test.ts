import { describe, expect, it } from "vitest";
import { bidBody, carrierWithTruck, loadBody, postLoad } from "../marketplace/support";
import { createTestNode } from "../support/app";
import { qualifications, registerCarrier, registerShipper } from "../support/fixtures";

const node = await createTestNode();

describe("qualification changes that widen a carrier's standing wait for review", () => {
  const expiresOn = "2030-12-31";
  const dg = (classes: string[], until = expiresOn) =>
    qualifications({ dangerousGoods: { permitNumber: "DG-7", classes, expiresOn: until } });
  const dgLoad = (key: string) =>
    postLoad(node, key, {
      cargo: { ...loadBody().cargo, dangerousGoods: { unNumber: "UN1203", class: "3" } },
    });
  const put = (c: { id: string; key: string }, body: unknown, key = c.key) =>
    node.call("PUT", `/v1/carriers/${c.id}/qualifications`, { key, body });
  const review = (id: string, decision: string, key = node.adminKey) =>
    node.call("POST", `/v1/carriers/${id}/qualifications/review`, {
      key,
      body: { decision, reason: "checked the permit" },
    });

  it("a self-granted dangerous-goods permit does not let the carrier bid until approved", async () => {
    const shipper = await registerShipper(node);
    const carrier = await carrierWithTruck(node);
    const load = await dgLoad(shipper.key);

    const res = await put(carrier, dg(["3"]));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.qualifications.dangerousGoods).toBeUndefined();
    expect(res.body.pendingQualifications.dangerousGoods.classes).toEqual(["3"]);

    const early = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: carrier.key,
      body: bidBody(carrier.vehicleId),
    });
    expect(early.status, JSON.stringify(early.body)).toBe(404);

    expect((await review(carrier.id, "approve", carrier.key)).status).toBe(403);
    const approved = await review(carrier.id, "approve");
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.qualifications.dangerousGoods.classes).toEqual(["3"]);
    expect(approved.body.pendingQualifications).toBeNull();

    const bid = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: carrier.key,
      body: bidBody(carrier.vehicleId),
    });
    expect(bid.status, JSON.stringify(bid.body)).toBe(201);
    const audit = await node.database.sql`
      select action from audit_log where entity_id = ${carrier.id}`;
    expect(audit.map((a) => a.action)).toContain("carrier.qualifications_approved");
  });

  it("narrowing applies at once; a mixed change keeps only what both allow meanwhile", async () => {
    const carrier = await registerCarrier(node, { body: { qualifications: dg(["3", "8"]) } });
    const narrowed = await put(carrier, dg(["3"], "2029-06-30"));
    expect(narrowed.status, JSON.stringify(narrowed.body)).toBe(200);
    expect(narrowed.body.qualifications.dangerousGoods).toMatchObject({
      classes: ["3"],
      expiresOn: "2029-06-30",
    });
    expect(narrowed.body.pendingQualifications).toBeNull();

    // Class 3 swapped for 6.1, and the permit extended: nothing of it is granted yet.
    const mixed = await put(carrier, dg(["6.1"], "2031-01-31"));
    expect(mixed.body.qualifications.dangerousGoods).toBeUndefined();
    expect(mixed.body.pendingQualifications.dangerousGoods.classes).toEqual(["6.1"]);

    const rejected = await review(carrier.id, "reject");
    expect(rejected.status).toBe(200);
    expect(rejected.body.pendingQualifications).toBeNull();
    expect(rejected.body.qualifications.dangerousGoods).toBeUndefined();
    expect((await review(carrier.id, "approve")).status).toBe(409);
  });

  it("a later expiry waits; the rest of the carrier's standing keeps working", async () => {
    const shipper = await registerShipper(node);
    const carrier = await carrierWithTruck(node, {
      body: { qualifications: dg(["3"], "2029-01-01") },
    });
    const extended = await put(carrier, dg(["3"], "2035-01-01"));
    expect(extended.body.qualifications.dangerousGoods.expiresOn).toBe("2029-01-01");
    expect(extended.body.pendingQualifications.dangerousGoods.expiresOn).toBe("2035-01-01");
    const load = await dgLoad(shipper.key);
    const bid = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: carrier.key,
      body: bidBody(carrier.vehicleId),
    });
    expect(bid.status, JSON.stringify(bid.body)).toBe(201);
  });

  it("an admin's own change applies at once", async () => {
    const carrier = await registerCarrier(node);
    const res = await put(carrier, dg(["3"]), node.adminKey);
    expect(res.status).toBe(200);
    expect(res.body.qualifications.dangerousGoods.classes).toEqual(["3"]);
    expect(res.body.pendingQualifications).toBeNull();
  });
});
