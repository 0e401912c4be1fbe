import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { type Bidder, bidBody, carrierWithTruck, postLoad } from "./support";

const node = await createTestNode();
const shipper = await registerShipper(node);
const [a, b] = [await carrierWithTruck(node), await carrierWithTruck(node)] as [Bidder, Bidder];

async function quote(key: string, from: string, to: string): Promise<string> {
  const res = await node.call("POST", "/v1/routes/quote", {
    key,
    body: {
      from,
      to,
      cargo: { weightKg: 12_000, volumeM3: 40 },
      departAt: new Date(Date.now() + 50 * 3_600_000).toISOString(),
      optimise: "cost",
      modes: ["road"],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.quoteId;
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
