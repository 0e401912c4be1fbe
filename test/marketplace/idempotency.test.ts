import { beforeAll, describe, expect, it } from "vitest";
import type { Ctx } from "../../core/context";
import { claimIdempotencyKey, requestHash, settleIdempotencyKey } from "../../core/idempotency";
import type { BidInput } from "../../core/marketplace/eligibility";
import { placeBid } from "../../core/marketplace/place-bid";
import { createTestNode, type TestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { type Bidder, bidBody, carrierWithTruck, postLoad } from "./support";

describe("Idempotency-Key across a crash between commit and response", () => {
  let node: TestNode;
  let shipper: { key: string };
  let carrier: Bidder;
  beforeAll(async () => {
    node = await createTestNode();
    shipper = await registerShipper(node);
    carrier = await carrierWithTruck(node);
  });

  /** Claims the key and commits the bid as the first request would, then "dies" before answering. */
  async function firstRequestDies(loadId: string, key: string, body: ReturnType<typeof bidBody>) {
    const path = `/v1/loads/${loadId}/bids`;
    const hash = requestHash("POST", path, JSON.stringify(body));
    const claim = await claimIdempotencyKey(node.database.db, { orgId: carrier.id, key, hash });
    expect(claim.kind).toBe("claimed");
    const ctx: Ctx = {
      db: node.database.db,
      actor: { kind: "carrier", orgId: carrier.id, orgStatus: "verified", keyId: "key_crashed" },
      clock: { now: () => new Date() },
      identity: node.identity,
      network: node.network,
      nodeCode: "XJ",
      idempotency: { orgId: carrier.id, key },
    };
    return placeBid(ctx, { loadId, bid: body as BidInput });
  }

  it("a retry gets the committed bid back instead of running the verb again", async () => {
    const load = await postLoad(node, shipper.key);
    const body = bidBody(carrier.vehicleId);
    const bid = await firstRequestDies(load.id, "crash-1", body);
    const retry = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: carrier.key,
      body,
      headers: { "idempotency-key": "crash-1" },
    });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body.id).toBe(bid.id);
    const [rows] = await node.database.sql`
      select count(*)::int as n from bids where load_id = ${load.id}`;
    expect(rows?.n).toBe(1);
  });

  it("a 5xx after the commit does not release the key", async () => {
    const load = await postLoad(node, shipper.key);
    const body = bidBody(carrier.vehicleId);
    const bid = await firstRequestDies(load.id, "crash-2", body);
    await settleIdempotencyKey(node.database.db, {
      orgId: carrier.id,
      key: "crash-2",
      status: 500,
      body: null,
    });
    const retry = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: carrier.key,
      body,
      headers: { "idempotency-key": "crash-2" },
    });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.body.id).toBe(bid.id);
  });

  it("a normal request stores its exact response, replayed as is", async () => {
    const load = await postLoad(node, shipper.key);
    const body = bidBody(carrier.vehicleId);
    const send = () =>
      node.call("POST", `/v1/loads/${load.id}/bids`, {
        key: carrier.key,
        body,
        headers: { "idempotency-key": "normal-1" },
      });
    const first = await send();
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
  });
});
