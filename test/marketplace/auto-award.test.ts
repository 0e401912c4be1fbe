import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobScheduler } from "../../core/jobs";
import { startWorkers } from "../../workers";
import { Queues } from "../../workers/queues";
import { queueScheduler } from "../../workers/scheduler";
import { createTestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { queueBackends } from "../support/queues";
import { type Bidder, carrierWithTruck, placeBid, postLoad } from "./support";

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
    let scheduler: JobScheduler | undefined;
    const jobs: JobScheduler = { schedule: (job) => (scheduler as JobScheduler).schedule(job) };
    let stop: (() => Promise<void>) | undefined;
    let node: Awaited<ReturnType<typeof createTestNode>>;
    let shipper: { key: string };
    let bidders: Bidder[];

    beforeAll(async () => {
      node = await createTestNode({ jobs });
      const runtime = backend.create(node.database.url);
      const queues = new Queues(runtime);
      scheduler = queueScheduler(queues);
      const workers = await startWorkers({
        ctx: {
          db: node.database.db,
          actor: { kind: "system", name: "worker" },
          clock: { now: () => new Date() },
          jobs: scheduler,
          nodeCode: "XJ",
        },
        logger: pino({ level: "silent" }),
        queues,
      });
      stop = async () => {
        await workers.stop();
        await queues.close();
        await runtime.close();
      };
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
      const feed = await node.call("GET", "/v1/feed?limit=500", { key: bidders[0]?.key });
      expect(feed.body.items).toContainEqual(expect.objectContaining({ type: "bid.lost" }));
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
