import { describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { pullFromPartners } from "../../core/federation/pull";
import { generateNodeKey, nodeIdentity } from "../../core/identity/node-identity";
import { loadBody } from "../marketplace/support";
import { registerCarrier, registerShipper } from "../support/fixtures";
import { queueBackends } from "../support/queues";
import { registerPartner, type ServedNode, servedNode, signedHeaders } from "./transport-support";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const FEED = "/v1/federation/feed?limit=500";

type Page = { messages: { id: string; waybill: string; record: Record<string, unknown> }[] };

// KZ misses what XJ sends while its inbox is down; pulling XJ's feed closes the gap, and the
// feed shows KZ only what its agreement shares.
describe.each(queueBackends())("catch-up from a partner's feed on $name", (backend) => {
  describe.skipIf(!backend.available)("XJ and KZ", async () => {
    if (!backend.available) return;
    const xj = await servedNode("XJ", backend);
    const kz = await servedNode("KZ", backend);
    await registerPartner(xj, kz, { countries: ["KZ"], regions: [] });
    await registerPartner(kz, xj, { countries: ["CN"], regions: [] });
    const shipper = await registerShipper(xj.node);
    const carrier = await registerCarrier(xj.node);

    async function issue(destination: string, legs: unknown[]): Promise<string> {
      const now = Date.now();
      const res = await xj.node.call("POST", "/v1/waybills", {
        key: shipper.key,
        body: {
          carrierId: carrier.id,
          origin: "CN-URC",
          destination,
          cargo: loadBody().cargo,
          price: { amount: 18_000, currency: "CNY" },
          legs,
          pickupAt: iso(now - 2 * HOUR),
          deliveryAt: iso(now + 72 * HOUR),
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.number as string;
    }
    const readAt = (at: ServedNode, no: string) =>
      at.node.call("GET", `/v1/waybills/${no}`, { key: at.node.adminKey });
    const feedAt = (at: ServedNode, headers: Record<string, string>) =>
      fetch(`${at.url}${FEED}`, { headers });

    // KZ's inbox is down while XJ issues: nothing reaches KZ by delivery.
    kz.fault.status = 503;
    const missed = await issue("KZ-ALA", [{ mode: "rail", from: "CN-URC", to: "KZ-ALA" }]);
    const inland = await issue("CN-KHG", [{ mode: "road", from: "CN-URC", to: "CN-KHG" }]);

    it("brings a node that missed deliveries up to date, each message once", async () => {
      // The node's own scheduled pull may have run already (a scheduler's first run is at
      // once): either way, pulling converges and applies nothing twice.
      const pull = () => pullFromPartners(systemCtxFactory(kz.node.parts)("test"));
      const [first] = await pull();
      expect(first?.partner).toBe("XJ");
      expect(first?.error).toBeUndefined();
      const replica = await readAt(kz, missed);
      expect(replica.status).toBe(200);
      expect(replica.body).toMatchObject({ number: missed, homeNode: "XJ" });
      expect(replica.body.price).toBeUndefined();
      // Pulled again (rows younger than the settle window are served again): nothing new.
      const [again] = await pull();
      expect(again).toMatchObject({ partner: "XJ", applied: 0 });
      const [sent] = await xj.node.database.sql`
        select count(*)::int as n from federation_outbox
        where partner = 'KZ' and waybill_number = ${missed}`;
      const [applied] = await kz.node.database.sql`
        select count(*)::int as n from federation_inbox where waybill_number = ${missed}`;
      expect(applied?.n).toBe(sent?.n);
      kz.fault.status = null;
    });

    it("shows the partner only what its agreement shares, stripped", async () => {
      const res = await feedAt(xj, {
        ...signedHeaders(kz.node.identity, FEED),
        "caravan-node": "KZ",
      });
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      const waybills = new Set(page.messages.map((m) => m.waybill));
      expect(waybills.has(missed)).toBe(true);
      expect(waybills.has(inland)).toBe(false);
      expect(JSON.stringify(page)).not.toMatch(/priceAmount|priceCurrency|18000/);
    });

    it("refuses a stranger, an unsigned request and a signature over another query", async () => {
      const stranger = await nodeIdentity(generateNodeKey());
      const forged = { ...signedHeaders(stranger, FEED), "caravan-node": "KZ" };
      expect((await feedAt(xj, forged)).status).toBe(401);
      expect((await feedAt(xj, { "caravan-node": "KZ" })).status).toBe(401);
      const unknown = { ...signedHeaders(stranger, FEED), "caravan-node": "ZZ" };
      expect((await feedAt(xj, unknown)).status).toBe(401);
      const other = {
        ...signedHeaders(kz.node.identity, "/v1/federation/feed"),
        "caravan-node": "KZ",
      };
      expect((await feedAt(xj, other)).status).toBe(401);
    });

    it("answers a cursor it did not give with 400", async () => {
      const path = "/v1/federation/feed?since=bm9wZQ";
      const res = await fetch(`${xj.url}${path}`, {
        headers: { ...signedHeaders(kz.node.identity, path), "caravan-node": "KZ" },
      });
      expect(res.status).toBe(400);
    });
  });
});
