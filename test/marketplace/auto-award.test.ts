import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { queueBackends, testWorkers } from "../support/queues";
import { type Bidder, carrierWithTruck, feedShowing, placeBid, postLoad } from "./support";

async function until<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(queueBackends())("auto-award on the $name queue backend", (backend) => {
  describe.skipIf(!backend.available)("closing by delayed job", () => {
    const workers = testWorkers(backend);
    const jobs = workers.jobs;
    let stop: (() => Promise<void>) | undefined;
    let node: Awaited<ReturnType<typeof createTestNode>>;
    let shipper: { key: string };
    let bidders: Bidder[];

    beforeAll(async () => {
      node = await createTestNode({ jobs });
      ({ stop } = await workers.start(node));
      shipper = await registerShipper(node);
      bidders = [];
      for (let i = 0; i < 3; i++) bidders.push(await carrierWithTruck(node));
    });
    afterAll(async () => stop?.());

    it("awards the lowest price when bidding closes, within a second or so", async () => {
      const closesAt = new Date(Date.now() + 2000);
      const load = await postLoad(node, shipper.key, {
        biddingClosesAt: closesAt.toISOString(),
        awardRule: "lowest_price",
      });
      const prices = [27_000, 21_000, 24_000];
      const bids = [];
      for (const [i, b] of bidders.entries()) {
        bids.push(
          await placeBid(node, load.id, b, { price: { amount: prices[i], currency: "CNY" } }),
        );
      }
      const awarded = await until(async () => {
        const res = await node.call("GET", `/v1/loads/${load.id}`, { key: shipper.key });
        return res.body.status === "awarded" ? res.body : undefined;
      });
      expect(awarded.awardedBidId).toBe(bids[1]?.id);
      expect(Date.now() - closesAt.getTime()).toBeLessThan(3000);
      const feed = await feedShowing(node, bidders[0]?.key ?? "", "bid.lost");
      expect(feed).toContainEqual(expect.objectContaining({ type: "bid.lost" }));
    });

    it("marks a load unawarded when no bid is eligible", async () => {
      const closesAt = new Date(Date.now() + 1500);
      const load = await postLoad(node, shipper.key, {
        biddingClosesAt: closesAt.toISOString(),
        awardRule: "best_value",
      });
      const status = await until(async () => {
        const res = await node.call("GET", `/v1/loads/${load.id}`, { key: shipper.key });
        return res.body.status === "open" ? undefined : (res.body.status as string);
      });
      expect(status).toBe("unawarded");
    });
  });
});
