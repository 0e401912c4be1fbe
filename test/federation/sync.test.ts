import { describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { sendHeartbeats } from "../../core/federation/heartbeat";
import { queueBackends } from "../support/queues";
import { registerPartner, type ServedNode, servedNode } from "./transport-support";

const syncOf = async (at: ServedNode, code: string) => {
  const res = await at.node.call("GET", `/v1/partners/${code}/sync`, { key: at.node.adminKey });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { reachable: boolean; lastHeartbeatAt: string | null; backlog: number };
};

// Two nodes on loopback: XJ beats to KZ and KZ to XJ; each side reports what it heard.
describe.each(queueBackends())("heartbeats and sync figures on $name", (backend) => {
  describe.skipIf(!backend.available)("XJ and KZ", async () => {
    if (!backend.available) return;
    const xj = await servedNode("XJ", backend);
    const kz = await servedNode("KZ", backend);
    await registerPartner(xj, kz, { countries: ["KZ"], regions: [] });
    await registerPartner(kz, xj, { countries: ["CN"], regions: [] });
    const beat = (from: ServedNode) => sendHeartbeats(systemCtxFactory(from.node.parts)("test"));

    it("sends a signed empty batch that the partner records as a heartbeat", async () => {
      const before = xj.inbox.length;
      const outcomes = await beat(kz);
      expect(outcomes).toEqual([{ partner: "XJ", reached: true }]);
      const sent = xj.inbox.slice(before).map((r) => JSON.parse(r.body) as { messages: unknown[] });
      expect(sent.some((b) => b.messages.length === 0)).toBe(true);
      expect(xj.inbox.at(-1)?.headers["webhook-signature"]).toMatch(/^v1a,/);
      const atXj = await syncOf(xj, "KZ");
      expect(atXj.lastHeartbeatAt).not.toBeNull();
      expect(Date.now() - Date.parse(atXj.lastHeartbeatAt ?? "")).toBeLessThan(10_000);
      // KZ heard an answer: XJ is reachable from KZ.
      expect((await syncOf(kz, "XJ")).reachable).toBe(true);
    });

    it("reports a partner that stops answering as unreachable", async () => {
      await beat(xj);
      expect((await syncOf(xj, "KZ")).reachable).toBe(true);
      kz.fault.status = 503;
      try {
        expect(await beat(xj)).toMatchObject([{ partner: "KZ", reached: false }]);
        expect((await syncOf(xj, "KZ")).reachable).toBe(false);
      } finally {
        kz.fault.status = null;
      }
      await beat(xj);
      expect((await syncOf(xj, "KZ")).reachable).toBe(true);
    });

    it("refuses a heartbeat from a stranger's key", async () => {
      const body = JSON.stringify({
        protocolVersion: "caravan-federation/1",
        from: "KZ",
        to: "XJ",
        messages: [],
      });
      const res = await fetch(`${xj.url}/v1/federation/inbox`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": "fb_stranger",
          "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
          "webhook-signature": `v1a,${Buffer.alloc(64).toString("base64")}`,
        },
        body,
      });
      expect(res.status).toBe(401);
    });

    it("shows each partner's sync figures on /metrics", async () => {
      await beat(xj);
      const res = await xj.node.call("GET", "/metrics");
      expect(res.status).toBe(200);
      const text = String(res.body);
      expect(text).toContain('caravan_federation_partner_reachable{partner="KZ"} 1');
      expect(text).toMatch(/caravan_federation_partner_backlog\{partner="KZ"\} \d+/);
      expect(text).toMatch(/caravan_federation_partner_dead_letters\{partner="KZ"\} \d+/);
      expect(text).toMatch(/caravan_federation_partner_failures\{partner="KZ"\} \d+/);
      expect(text).toMatch(/caravan_federation_partner_lag_seconds\{partner="KZ"\} \d+/);
    });
  });
});
