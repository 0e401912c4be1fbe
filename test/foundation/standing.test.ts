import { describe, expect, it } from "vitest";
import { bidBody, carrierWithTruck, loadBody, nextPlate, postLoad } from "../marketplace/support";
import { createTestNode } from "../support/app";
import { qualifications, registerCarrier, registerShipper, vehicleBody } from "../support/fixtures";

const node = await createTestNode();

describe("suspension", () => {
  it("is admin-only, needs a reason, and takes effect at the next request", async () => {
    const shipper = await registerShipper(node);
    expect(
      (
        await node.call("POST", `/v1/orgs/${shipper.id}/suspend`, {
          key: shipper.key,
          body: { reason: "self" },
        })
      ).status,
    ).toBe(403);
    expect(
      (await node.call("POST", `/v1/orgs/${shipper.id}/suspend`, { key: node.adminKey, body: {} }))
        .status,
    ).toBe(400);

    await postLoad(node, shipper.key);
    const suspended = await node.call("POST", `/v1/orgs/${shipper.id}/suspend`, {
      key: node.adminKey,
      body: { reason: "unpaid fees" },
    });
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(200);
    expect(suspended.body).toMatchObject({ status: "suspended", suspensionReason: "unpaid fees" });

    const refused = await node.call("POST", "/v1/loads", { key: shipper.key, body: loadBody() });
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body.error.reason).toBe("ORGANIZATION_SUSPENDED");
    const self = await node.call("GET", `/v1/shippers/${shipper.id}`, { key: shipper.key });
    expect(self.status).toBe(200);
    expect(self.body.status).toBe("suspended");

    const reinstated = await node.call("POST", `/v1/orgs/${shipper.id}/reinstate`, {
      key: node.adminKey,
    });
    expect(reinstated.status, JSON.stringify(reinstated.body)).toBe(200);
    expect(reinstated.body).toMatchObject({ status: "verified", suspensionReason: null });
    await postLoad(node, shipper.key);

    const audit = await node.database.sql`
      select action, data from audit_log where entity_id = ${shipper.id} order by id`;
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["organization.suspended", "organization.reinstated"]),
    );
    expect(audit.find((a) => a.action === "organization.suspended")?.data.reason).toBe(
      "unpaid fees",
    );
  });

  it("applies to verified organisations only; reinstatement to suspended ones only", async () => {
    const pending = await registerCarrier(node, { verify: false });
    const s = await node.call("POST", `/v1/orgs/${pending.id}/suspend`, {
      key: node.adminKey,
      body: { reason: "x" },
    });
    expect(s.status).toBe(409);
    const r = await node.call("POST", `/v1/orgs/${pending.id}/reinstate`, { key: node.adminKey });
    expect(r.status).toBe(409);
    const unknown = await node.call("POST", "/v1/orgs/org_01M844S8JXKX0ZZQGAVBAHEQG6/suspend", {
      key: node.adminKey,
      body: { reason: "x" },
    });
    expect(unknown.status).toBe(404);
  });
});

describe("an organisation that is not in good standing may read but not transact", () => {
  /** A shipper with an open load that has a live bid, and the bidding carrier. */
  async function market() {
    const shipper = await registerShipper(node);
    const carrier = await carrierWithTruck(node);
    const load = await postLoad(node, shipper.key);
    const bid = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: carrier.key,
      body: bidBody(carrier.vehicleId),
    });
    expect(bid.status, JSON.stringify(bid.body)).toBe(201);
    return { shipper, carrier, load, bidId: bid.body.id as string };
  }

  const change = (id: string, to: "reject" | "suspend") =>
    node.call("POST", `/v1/orgs/${id}/${to}`, { key: node.adminKey, body: { reason: "fraud" } });

  describe.each(["reject", "suspend"] as const)("after %s", (to) => {
    const reason = to === "reject" ? "ORGANIZATION_REJECTED" : "ORGANIZATION_SUSPENDED";

    it("a shipper cannot amend, award (no waybill), cancel, create keys or webhooks", async () => {
      const { shipper, load, bidId } = await market();
      expect((await change(shipper.id, to)).status).toBe(200);
      const attempts = [
        ["PATCH", `/v1/loads/${load.id}`, { cargo: { ...loadBody().cargo, packages: 1 } }],
        ["POST", `/v1/loads/${load.id}/award`, { bidId }],
        ["POST", `/v1/loads/${load.id}/cancel`, {}],
        ["POST", "/v1/loads", loadBody()],
        ["POST", "/v1/api-keys", { name: "more" }],
        ["POST", "/v1/webhooks", { url: "https://hooks.example.com/x" }],
      ] as const;
      for (const [method, path, body] of attempts) {
        const res = await node.call(method, path, { key: shipper.key, body });
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(403);
        expect(res.body.error.reason).toBe(reason);
      }
      const [w] = await node.database.sql`
        select count(*)::int as n from waybills where load_id = ${load.id}`;
      expect(w?.n).toBe(0);
      expect((await node.call("GET", `/v1/loads/${load.id}`, { key: shipper.key })).status).toBe(
        200,
      );
    });

    it("a carrier cannot bid, revise, add vehicles or change qualifications", async () => {
      const { carrier, load, bidId } = await market();
      expect((await change(carrier.id, to)).status).toBe(200);
      const attempts = [
        ["PUT", `/v1/loads/${load.id}/bids/${bidId}`, bidBody(carrier.vehicleId)],
        ["POST", `/v1/loads/${load.id}/bids/${bidId}/withdraw`, {}],
        ["POST", `/v1/carriers/${carrier.id}/vehicles`, vehicleBody({ plate: nextPlate() })],
        ["PUT", `/v1/carriers/${carrier.id}/qualifications`, qualifications()],
      ] as const;
      for (const [method, path, body] of attempts) {
        const res = await node.call(method, path, { key: carrier.key, body });
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(403);
        expect(res.body.error.reason).toBe(reason);
      }
      expect((await node.call("GET", "/v1/api-keys", { key: carrier.key })).status).toBe(200);
    });
  });
});
