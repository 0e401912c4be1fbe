import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "../../core/federation/vocabulary";
import { replay } from "../../core/waybills/lifecycle";
import { formatWaybillNumber } from "../../core/waybills/number";
import { waybillEvents } from "../../db/schema";
import { loadBody } from "../marketplace/support";
import { registerCarrier, registerShipper } from "../support/fixtures";
import { queueBackends } from "../support/queues";
import { eventually } from "./support";
import { registerPartner, type ServedNode, servedNode, signedHeaders } from "./transport-support";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const SECRET_PHONE = "+7 727 555 0199";

// Three nodes, each with its own database, queues and HTTP server on loopback: XJ issues
// waybills, KZ receives those whose journey touches Kazakhstan and forwards them to GS (which
// knows only KZ), and events flow every way until all three agree.
describe.each(queueBackends())("federation between three nodes on $name", (backend) => {
  describe.skipIf(!backend.available)("XJ, KZ and GS", async () => {
    if (!backend.available) return;
    const xj = await servedNode("XJ", backend);
    const kz = await servedNode("KZ", backend);
    // GS knows KZ only: what reaches it from XJ was forwarded by KZ.
    const gs = await servedNode("GS", backend);
    await registerPartner(xj, kz, { countries: ["KZ"], regions: [] });
    await registerPartner(kz, xj, { countries: ["CN"], regions: ["65"] });
    await registerPartner(kz, gs, { countries: ["CN"], regions: [] });
    await registerPartner(gs, kz, { countries: ["KZ"], regions: [] });
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
    const eventsAt = async (at: ServedNode, no: string) =>
      (await at.node.call("GET", `/v1/waybills/${no}/events`, { key: at.node.adminKey })).body
        .items as { type: string; details?: unknown }[];

    const toAlmaty = await issue("KZ-ALA", [
      { mode: "road", from: "CN-URC", to: "CN-KHG" },
      { mode: "rail", from: "CN-KHG", to: "KZ-ALA" },
    ]);

    it("shares a waybill touching Kazakhstan, stripped to the agreement", async () => {
      expect(
        await eventually(async () => (await readAt(kz, toAlmaty)).status === 200, 15_000),
      ).toBe(true);
      const replica = await readAt(kz, toAlmaty);
      expect(replica.body).toMatchObject({ number: toAlmaty, homeNode: "XJ", status: "created" });
      expect(replica.body.price).toBeUndefined();
      expect(replica.body.cargo).toBeDefined();
      expect(replica.body.legs).toHaveLength(2);
      const [stored] = await kz.node.database.sql`
        select price_amount, price_currency, home_node from waybills where number = ${toAlmaty}`;
      expect(stored).toEqual({ price_amount: null, price_currency: null, home_node: "XJ" });
      expect((await readAt(xj, toAlmaty)).body.homeNode).toBe("XJ");
      const wire = kz.inbox.map((r) => r.body).join("\n");
      expect(wire).toContain(toAlmaty);
      expect(wire).not.toMatch(/priceAmount|priceCurrency|18000/);
    });

    it("does not share a waybill that never touches Kazakhstan", async () => {
      const inland = await issue("CN-KHG", [{ mode: "road", from: "CN-URC", to: "CN-KHG" }]);
      const [row] = await xj.node.database.sql`
        select count(*)::int as n from federation_outbox where waybill_number = ${inland}`;
      expect(row?.n).toBe(0);
      expect((await readAt(kz, inland)).status).toBe(404);
    });

    it("carries an event recorded at XJ to KZ, without its sensitive details", async () => {
      const res = await xj.node.call("POST", `/v1/waybills/${toAlmaty}/events`, {
        key: carrier.key,
        body: {
          type: "picked_up",
          occurredAt: iso(Date.now()),
          details: { driverPhone: SECRET_PHONE },
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(
        await eventually(
          async () => (await readAt(kz, toAlmaty)).body.status === "picked_up",
          15_000,
        ),
      ).toBe(true);
      const events = await eventsAt(kz, toAlmaty);
      expect(events.map((e) => e.type)).toEqual(["created", "picked_up"]);
      // Stripped before it left XJ: KZ holds the event with no details at all.
      expect(events.map((e) => e.details ?? {})).toEqual([{}, {}]);
      expect(kz.inbox.map((r) => r.body).join("\n")).not.toContain(SECRET_PHONE);
      const stored = await kz.node.database.sql`select details from waybill_events`;
      expect(JSON.stringify(stored)).not.toContain(SECRET_PHONE);
    });

    it("carries an event recorded at KZ back to XJ, and never echoes it", async () => {
      const res = await kz.node.call("POST", `/v1/waybills/${toAlmaty}/events`, {
        key: kz.node.adminKey,
        body: { type: "at_border", occurredAt: iso(Date.now()), location: "KZ-DOS" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(
        await eventually(
          async () => (await readAt(xj, toAlmaty)).body.status === "at_border",
          15_000,
        ),
      ).toBe(true);
      const [row] = await xj.node.database.sql`
        select count(*)::int as n from federation_outbox where origin = 'KZ'`;
      expect(row?.n).toBe(0);
      expect((await eventsAt(xj, toAlmaty)).map((e) => e.type)).toEqual([
        "created",
        "picked_up",
        "at_border",
      ]);
    });

    it("forwards what KZ received from XJ to GS, at most once, and brings GS's events home", async () => {
      const eventTypes = async (at: ServedNode) =>
        (await eventsAt(at, toAlmaty)).map((e) => e.type);
      expect(await eventually(async () => (await eventTypes(gs)).length === 3, 15_000)).toBe(true);
      expect((await readAt(gs, toAlmaty)).body).toMatchObject({
        homeNode: "XJ",
        status: "at_border",
      });
      const res = await gs.node.call("POST", `/v1/waybills/${toAlmaty}/events`, {
        key: gs.node.adminKey,
        body: { type: "cleared", occurredAt: iso(Date.now()), location: "KZ-DOS" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const converged = async () => {
        const all = await Promise.all([xj, kz, gs].map(eventTypes));
        return (
          all.every((types) => JSON.stringify(types) === JSON.stringify(all[0])) &&
          all[0]?.length === 4
        );
      };
      expect(await eventually(converged, 15_000)).toBe(true);
      for (const at of [xj, kz, gs])
        expect((await readAt(at, toAlmaty)).body.status).toBe("cleared");
      // The same event set, however it arrived, gives every node the same head hash; KZ knows
      // both other recorders' keys, so there every signature checks out.
      const verifyAt = async (at: ServedNode) =>
        (await at.node.call("GET", `/v1/waybills/${toAlmaty}/verify`, { key: at.node.adminKey }))
          .body as { ok: boolean; events: number; headHash: string };
      const [atXj, atKz, atGs] = await Promise.all([xj, kz, gs].map(verifyAt));
      expect(atKz).toMatchObject({ ok: true, events: 4, headHash: atXj?.headHash });
      expect(atGs?.headHash).toBe(atXj?.headHash);
      // Each record went to GS once, and nothing went back where it came from.
      const toGs = await kz.node.database.sql<{ n: number }[]>`
        select count(*)::int as n from federation_outbox
        where partner = 'GS' and waybill_number = ${toAlmaty}
        group by type, record->>'fingerprint', record->>'number' having count(*) > 1`;
      expect(toGs).toEqual([]);
      const echoes = await kz.node.database.sql`
        select partner, origin from federation_outbox where partner = origin`;
      expect(echoes).toEqual([]);
      const [fromKz] = await xj.node.database.sql`
        select count(*)::int as n from federation_outbox where origin <> 'XJ'`;
      expect(fromKz?.n).toBe(0);
    });

    it("changes nothing on duplicated or reordered deliveries", async () => {
      const before = await eventsAt(kz, toAlmaty);
      const statusBefore = (await readAt(kz, toAlmaty)).body.status;
      const sent = kz.inbox.filter(
        (r) => r.body.includes(toAlmaty) && JSON.parse(r.body).from === "XJ",
      );
      expect(sent.length).toBeGreaterThan(0);
      for (const r of sent) {
        const again = await fetch(`${kz.url}/v1/federation/inbox`, {
          method: "POST",
          headers: signedHeaders(xj.node.identity, r.body),
          body: r.body,
        });
        const answer = (await again.json()) as { accepted: number; duplicates: number };
        expect(again.status, JSON.stringify(answer)).toBe(200);
        expect(answer.accepted).toBe(0);
      }
      // The same messages under new ids, last first: applied, yet the events are the same set.
      const messages = sent.flatMap(
        (r) => (JSON.parse(r.body) as { messages: { id: string }[] }).messages,
      );
      const reordered = JSON.stringify({
        protocolVersion: PROTOCOL_VERSION,
        from: "XJ",
        to: "KZ",
        messages: messages.reverse().map((m, i) => ({ ...m, id: `XJ:reordered-${i}` })),
      });
      const res = await fetch(`${kz.url}/v1/federation/inbox`, {
        method: "POST",
        headers: signedHeaders(xj.node.identity, reordered),
        body: reordered,
      });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await eventsAt(kz, toAlmaty)).toEqual(before);
      expect((await readAt(kz, toAlmaty)).body.status).toBe(statusBefore);
    });

    it("moves a replica's status with each later event exactly as replaying all its events would", async () => {
      const no = await issue("KZ-ALA", [{ mode: "rail", from: "CN-URC", to: "KZ-ALA" }]);
      expect(await eventually(async () => (await readAt(kz, no)).status === 200, 15_000)).toBe(
        true,
      );
      type Sent = { id: string; waybill: string; type: string; record: Record<string, unknown> };
      const template = kz.inbox
        .flatMap((r) => (JSON.parse(r.body) as { messages: Sent[] }).messages)
        .find((m) => m.waybill === no && m.type === "event");
      if (!template) throw new Error(`no event message for ${no}`);
      const created = Date.parse(String(template.record.occurredAt));
      // Illegal from the status held, legal, legal, illegal again: each later than all before.
      const steps = [
        ["pod_confirmed", "created"],
        ["picked_up", "picked_up"],
        ["delivered", "delivered"],
        ["in_transit", "delivered"],
      ] as const;
      for (const [i, [type, status]] of steps.entries()) {
        const body = JSON.stringify({
          protocolVersion: PROTOCOL_VERSION,
          from: "XJ",
          to: "KZ",
          messages: [
            {
              ...template,
              id: `XJ:later-${no}-${i}`,
              record: { type, occurredAt: iso(created + (i + 1) * 60_000), location: null },
            },
          ],
        });
        const res = await fetch(`${kz.url}/v1/federation/inbox`, {
          method: "POST",
          headers: signedHeaders(xj.node.identity, body),
          body,
        });
        expect(res.status, await res.clone().text()).toBe(200);
        expect((await readAt(kz, no)).body.status).toBe(status);
        const held = await kz.node.database.db
          .select()
          .from(waybillEvents)
          .where(eq(waybillEvents.waybillNumber, no));
        expect(replay(held).status).toBe(status);
      }
    });

    it("refuses a tampered body and a stale timestamp with 401", async () => {
      const body = JSON.stringify({
        protocolVersion: PROTOCOL_VERSION,
        from: "XJ",
        to: "KZ",
        messages: [],
      });
      const headers = signedHeaders(xj.node.identity, body);
      const tampered = await fetch(`${kz.url}/v1/federation/inbox`, {
        method: "POST",
        headers,
        body: body.replace('"messages":[]', '"messages":[] '),
      });
      expect(tampered.status).toBe(401);
      expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe(
        "UNAUTHORIZED",
      );
      const stale = await fetch(`${kz.url}/v1/federation/inbox`, {
        method: "POST",
        headers: signedHeaders(xj.node.identity, body, {
          timestamp: Math.floor(Date.now() / 1000) - 301,
        }),
        body,
      });
      expect(stale.status).toBe(401);
      const stranger = await fetch(`${kz.url}/v1/federation/inbox`, {
        method: "POST",
        headers: signedHeaders(kz.node.identity, body),
        body,
      });
      expect(stranger.status).toBe(401);
      const fine = await fetch(`${kz.url}/v1/federation/inbox`, { method: "POST", headers, body });
      expect(fine.status).toBe(200);
    });

    it("answers a foreign protocol with 409, a malformed batch with 400, an early event with 503", async () => {
      const post = (batch: Record<string, unknown>) => {
        const body = JSON.stringify({
          protocolVersion: PROTOCOL_VERSION,
          from: "XJ",
          to: "KZ",
          ...batch,
        });
        return fetch(`${kz.url}/v1/federation/inbox`, {
          method: "POST",
          headers: signedHeaders(xj.node.identity, body),
          body,
        });
      };
      const foreign = await post({ protocolVersion: "caravan-federation/2", messages: [] });
      expect(foreign.status).toBe(409);
      expect(((await foreign.json()) as { error: { reason: string } }).error.reason).toBe(
        "PROTOCOL_VERSION",
      );
      expect((await post({ messages: [{ id: "XJ:1", type: "parcel" }] })).status).toBe(400);
      expect((await post({ to: "GS", messages: [] })).status).toBe(400);
      const number = formatWaybillNumber("XJ", 2026, 9_999_999);
      const [waybillMessage] = kz.inbox
        .flatMap((r) =>
          (JSON.parse(r.body) as { from: string; messages: Record<string, unknown>[] }).from ===
          "XJ"
            ? JSON.parse(r.body).messages
            : [],
        )
        .filter(
          (m: { type: string; waybill: string }) => m.type === "waybill" && m.waybill === toAlmaty,
        );
      const early = {
        id: "XJ:early-event",
        type: "event",
        waybill: number,
        homeNode: "XJ",
        origin: "XJ",
        record: { type: "picked_up", occurredAt: iso(Date.now()), location: null },
      };
      const first = await post({ messages: [early] });
      expect(first.status).toBe(503);
      expect(first.headers.get("retry-after")).toBe("1");
      const late = {
        ...waybillMessage,
        id: "XJ:late-waybill",
        waybill: number,
        record: { ...waybillMessage.record, number },
      };
      const again = await post({ messages: [late, early] });
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ accepted: 2, duplicates: 0 });
      expect((await readAt(kz, number)).body.status).toBe("picked_up");
    });

    it("refuses an event from KZ on a waybill not shared with KZ", async () => {
      const inland = await issue("CN-KHG", [{ mode: "road", from: "CN-URC", to: "CN-KHG" }]);
      const body = JSON.stringify({
        protocolVersion: PROTOCOL_VERSION,
        from: "KZ",
        to: "XJ",
        messages: [
          {
            id: "KZ:stray",
            type: "event",
            waybill: inland,
            homeNode: "XJ",
            origin: "KZ",
            record: { type: "picked_up", occurredAt: iso(Date.now()) },
          },
        ],
      });
      const res = await fetch(`${xj.url}/v1/federation/inbox`, {
        method: "POST",
        headers: signedHeaders(kz.node.identity, body),
        body,
      });
      expect(res.status, await res.clone().text()).toBe(400);
      expect((await readAt(xj, inland)).body.status).toBe("created");
    });

    it("keeps the backlog while KZ answers 503, and delivers it once KZ is back", async () => {
      kz.fault.status = 503;
      const waiting = await issue("KZ-ALA", [{ mode: "rail", from: "CN-URC", to: "KZ-ALA" }]);
      const sync = async () =>
        (await xj.node.call("GET", "/v1/partners/KZ/sync", { key: xj.node.adminKey })).body;
      expect(await eventually(async () => (await sync()).failures > 0, 15_000)).toBe(true);
      expect(await sync()).toMatchObject({ reachable: false, backlog: 2, deadLetters: 0 });
      kz.fault.status = null;
      // The job backs off and tries again: nothing is lost, nothing is dead.
      expect(await eventually(async () => (await readAt(kz, waiting)).status === 200, 20_000)).toBe(
        true,
      );
      expect(await eventually(async () => (await sync()).backlog === 0, 10_000)).toBe(true);
      expect(await sync()).toMatchObject({ reachable: true, failures: 0, deadLetters: 0 });
    });

    it("keeps what the partner refuses with a 400 as a dead letter, and replays it", async () => {
      kz.fault.status = 400;
      const refused = await issue("KZ-ALA", [{ mode: "rail", from: "CN-URC", to: "KZ-ALA" }]);
      const deadLetters = async () =>
        (await xj.node.call("GET", "/v1/partners/KZ/dead-letters", { key: xj.node.adminKey })).body
          .items as { waybill: string }[];
      expect(
        await eventually(
          async () => (await deadLetters()).filter((d) => d.waybill === refused).length === 2,
          15_000,
        ),
      ).toBe(true);
      const sync = await xj.node.call("GET", "/v1/partners/KZ/sync", { key: xj.node.adminKey });
      expect(sync.body).toMatchObject({ deadLetters: 2, backlog: 0 });
      expect((await readAt(kz, refused)).status).toBe(404);
      kz.fault.status = null;
      const replay = await xj.node.call("POST", "/v1/partners/KZ/replay", {
        key: xj.node.adminKey,
        body: {},
      });
      expect(replay.body).toEqual({ replayed: 2 });
      expect(await eventually(async () => (await readAt(kz, refused)).status === 200, 15_000)).toBe(
        true,
      );
      expect(await deadLetters()).toEqual([]);
      const after = await xj.node.call("GET", "/v1/partners/KZ/sync", { key: xj.node.adminKey });
      expect(after.body).toMatchObject({
        reachable: true,
        deadLetters: 0,
        backlog: 0,
        lagSeconds: 0,
      });
    });
  });
});
