import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { desc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../core/config";
import { type Ctx, systemClock } from "../../core/context";
import {
  EgressDeniedError,
  EgressPolicy,
  egressRequest,
  guardedLookup,
  PUBLIC_ONLY,
  parseCidrList,
} from "../../core/egress";
import { deliverWebhook } from "../../core/webhooks/deliver";
import { webhookDeliveries } from "../../db/schema";
import { postLoad } from "../marketplace/support";
import { createTestNode, testFeedCursors } from "../support/app";
import { registerShipper } from "../support/fixtures";

/** A receiver on loopback that counts what reaches it and answers `status` (and `location`). */
async function receiver(status = 200, location?: string) {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    req.resume();
    res.statusCode = status;
    if (location) res.setHeader("location", location);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${port}/hooks`, port, hits: () => hits };
}

const FORBIDDEN = [
  ["loopback", "http://127.0.0.1:3000/admin/queues"],
  ["loopback, short form", "http://127.1/"],
  ["loopback, hex", "http://0x7f.1/"],
  ["loopback, one number", "http://2130706433/"],
  ["loopback, octal", "http://017700000001/"],
  ["IPv6 loopback", "http://[::1]:3000/"],
  ["unspecified", "http://0.0.0.0/"],
  ["IPv6 unspecified", "http://[::]/"],
  ["localhost", "http://localhost:3000/"],
  ["a localhost subdomain", "http://api.localhost./x"],
  ["private 10/8", "http://10.1.2.3/"],
  ["private 172.16/12", "http://172.16.3.4/"],
  ["private 192.168/16", "http://192.168.1.10/"],
  ["carrier-grade NAT", "http://100.64.0.1/"],
  ["link-local (cloud metadata)", "http://169.254.169.254/latest/meta-data/"],
  ["IPv6 unique local fc00::/7", "http://[fc00::1]/"],
  ["IPv6 unique local fd", "http://[fd12:3456::1]/"],
  ["IPv6 link-local", "http://[fe80::1]/"],
  ["IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]/"],
  ["IPv4-mapped IPv6, hex", "http://[::ffff:7f00:1]/"],
  ["IPv4-mapped IPv6 private", "http://[::ffff:10.0.0.1]/"],
  ["NAT64 of loopback", "http://[64:ff9b::7f00:1]/"],
  ["multicast", "http://224.0.0.1/"],
] as const;

const node = await createTestNode();
const shipper = await registerShipper(node);
// A development node: loopback allowed, as the tests' own receivers need.
const dev = await createTestNode({ egressAllow: "127.0.0.0/8,::1/128" });
const devShipper = await registerShipper(dev);

describe("webhook URLs at registration", () => {
  it.each(FORBIDDEN)("refuses %s (%s) with 400 naming url", async (_what, url) => {
    const res = await node.call("POST", "/v1/webhooks", { key: shipper.key, body: { url } });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: "url" }));
  });

  it.each([
    ["a public name", "https://tms.example.com/caravan"],
    ["a public IPv4 address", "https://93.184.216.34/hook"],
    ["a public IPv6 address", "https://[2606:4700::6810:84e5]/hook"],
  ])("accepts %s", async (_what, url) => {
    const res = await node.call("POST", "/v1/webhooks", { key: shipper.key, body: { url } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it("accepts loopback only where CARAVAN_EGRESS_ALLOW allows it", async () => {
    const { key } = devShipper;
    for (const url of [
      "http://127.0.0.1:3000/x",
      "http://[::1]:3000/x",
      "http://[::ffff:7f00:1]/x",
    ]) {
      const res = await dev.call("POST", "/v1/webhooks", { key, body: { url } });
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(201);
    }
    const res = await dev.call("POST", "/v1/webhooks", { key, body: { url: "http://10.0.0.1/" } });
    expect(res.status).toBe(400);
  });
});

describe("CARAVAN_EGRESS_ALLOW", () => {
  it("is off by default and parses comma-separated ranges", () => {
    expect(loadConfig({}).CARAVAN_EGRESS_ALLOW).toEqual([]);
    expect(
      loadConfig({ CARAVAN_EGRESS_ALLOW: "127.0.0.0/8, ::1/128,10.0.0.7" }).CARAVAN_EGRESS_ALLOW,
    ).toEqual([
      { address: "127.0.0.0", prefix: 8, family: "ipv4" },
      { address: "::1", prefix: 128, family: "ipv6" },
      { address: "10.0.0.7", prefix: 32, family: "ipv4" },
    ]);
  });

  it.each(["localhost", "127.0.0.0/33", "::1/129", "10.0.0.0/8/8", "300.1.1.1/8"])(
    "stops the node on %j, naming the variable",
    (value) => {
      expect(() => loadConfig({ CARAVAN_EGRESS_ALLOW: value })).toThrow(ConfigError);
      expect(() => loadConfig({ CARAVAN_EGRESS_ALLOW: value })).toThrow(/CARAVAN_EGRESS_ALLOW/);
    },
  );
});

describe("the address actually connected to", () => {
  const resolvesTo =
    (...addresses: string[]) =>
    (_host: string, cb: (err: null, a: { address: string; family: number }[]) => void) =>
      cb(
        null,
        addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
      );

  it("refuses a name if any address it resolves to is private", async () => {
    const lookup = guardedLookup(PUBLIC_ONLY, resolvesTo("93.184.216.34", "127.0.0.1"));
    const err = await new Promise((r) => lookup("hooks.example.test", { all: true }, r));
    expect(err).toBeInstanceOf(EgressDeniedError);
    const ok = await new Promise((r) =>
      guardedLookup(PUBLIC_ONLY, resolvesTo("93.184.216.34"))("x.test", {}, (e, a) => r([e, a])),
    );
    expect(ok).toEqual([null, "93.184.216.34"]);
  });

  it("does not connect when a name resolves to loopback (DNS rebinding)", async () => {
    const target = await receiver();
    const url = `http://hooks.example.test:${target.port}/hooks`;
    const send = (policy: EgressPolicy) =>
      egressRequest(policy, url, {
        method: "POST",
        headers: {},
        body: "{}",
        timeoutMs: 2_000,
        resolve: resolvesTo("127.0.0.1"),
      });
    await expect(send(PUBLIC_ONLY)).rejects.toBeInstanceOf(EgressDeniedError);
    expect(target.hits()).toBe(0);
    // The checked address is the one connected to: allowed, it reaches the receiver.
    const allowed = new EgressPolicy(parseCidrList("127.0.0.0/8"));
    await expect(send(allowed)).resolves.toMatchObject({ status: 200 });
    expect(target.hits()).toBe(1);
  });

  it("refuses a delivery to a private address even if the URL was registered earlier", async () => {
    const target = await receiver(204);
    const hook = await dev.call("POST", "/v1/webhooks", {
      key: devShipper.key,
      body: { url: target.url },
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    await postLoad(dev, devShipper.key);
    const [delivery] = await dev.database.db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.webhookId, hook.body.id));
    const deliveryId = delivery?.id ?? "";
    const ctx: Ctx = {
      db: dev.database.db,
      actor: { kind: "system", name: "t" },
      clock: systemClock,
      identity: dev.identity,
      network: dev.network,
      feedCursors: testFeedCursors,
    };

    // A node without the allow-list (the default) will not send it, and will not retry.
    const refused = await deliverWebhook(ctx, { deliveryId, finalAttempt: false });
    expect(refused.kind).toBe("rejected");
    expect(target.hits()).toBe(0);

    await dev.database.db
      .update(webhookDeliveries)
      .set({ status: "pending" })
      .where(eq(webhookDeliveries.id, deliveryId));
    const sent = await deliverWebhook(
      { ...ctx, egress: dev.egress },
      { deliveryId, finalAttempt: false },
    );
    expect(sent).toEqual({ kind: "delivered", status: 204 });
    expect(target.hits()).toBe(1);
  });

  it("never follows a redirect", async () => {
    const elsewhere = await receiver(200);
    const redirecting = await receiver(302, elsewhere.url);
    const hook = await dev.call("POST", "/v1/webhooks", {
      key: devShipper.key,
      body: { url: redirecting.url },
    });
    expect(hook.status).toBe(201);
    await postLoad(dev, devShipper.key);
    const [delivery] = await dev.database.db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.webhookId, hook.body.id))
      .orderBy(desc(webhookDeliveries.createdAt))
      .limit(1);
    const outcome = await deliverWebhook(
      {
        db: dev.database.db,
        actor: { kind: "system", name: "t" },
        clock: systemClock,
        identity: dev.identity,
        network: dev.network,
        feedCursors: testFeedCursors,
        egress: dev.egress,
      },
      { deliveryId: delivery?.id ?? "", finalAttempt: false },
    );
    expect(outcome).toEqual({ kind: "rejected", reason: "receiver answered 302" });
    expect(redirecting.hits()).toBe(1);
    expect(elsewhere.hits()).toBe(0);
  });
});
