import { describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { applyMessages } from "../../core/federation/inbox";
import type { Message } from "../../core/federation/wire";
import { formatWaybillNumber } from "../../core/waybills/number";
import { selectPartner } from "../../db/queries/federation";
import type { Place } from "../../db/schema";
import { loadBody } from "../marketplace/support";
import { createTestNode } from "../support/app";
import { registerCarrier, registerShipper } from "../support/fixtures";
import { partnerBody } from "./support";

// KZ receives batches from XJ (whose agreement covers China) and forwards what concerns
// Kazakhstan on to GS. Each batch is applied as one; the outcome must be that of its messages
// applied one by one in order.
const node = await createTestNode({ nodeCode: "KZ" });
const ctx = systemCtxFactory(node.parts)("test");
for (const [code, countries] of [
  ["XJ", ["CN"]],
  ["GS", ["KZ"]],
] as const) {
  const res = await node.call("POST", "/v1/partners", {
    key: node.adminKey,
    body: await partnerBody({
      code,
      agreement: {
        countries,
        regions: [],
        recordTypes: ["waybill", "event"],
        maxClassification: "internal",
      },
    }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}
const xj = await selectPartner(node.database.db, "XJ");
if (!xj) throw new Error("XJ not registered");

const place = (hub: string): Place => {
  const h = node.parts.network.hub(hub);
  if (!h) throw new Error(`no hub ${hub}`);
  return { hub, country: h.country, lat: h.lat, lon: h.lon };
};
const t = (m: number) => new Date(Date.UTC(2030, 0, 1, 0, m)).toISOString();

let seq = 0;
let messageSeq = 0;
const newNumber = () => formatWaybillNumber("XJ", 2030, ++seq);
const nextId = () => `XJ:m${++messageSeq}`;

function waybillMessage(number: string, from = "CN-URC", to = "KZ-ALA", id = nextId()): Message {
  return {
    id,
    type: "waybill",
    waybill: number,
    homeNode: number.slice(0, 2),
    origin: number.slice(0, 2),
    record: {
      number,
      shipperId: "org_shipper",
      carrierId: "org_carrier",
      origin: place(from),
      destination: place(to),
      createdAt: t(0),
      legs: [
        {
          seq: 1,
          mode: "road",
          carrierId: "org_carrier",
          from: place(from),
          to: place(to),
          plannedDeparture: t(0),
          plannedArrival: t(600),
        },
      ],
    },
  };
}

function eventMessage(number: string, type: string, minute: number, id = nextId()): Message {
  return {
    id,
    type: "event",
    waybill: number,
    homeNode: number.slice(0, 2),
    origin: "XJ",
    record: { type, occurredAt: t(minute), details: { minute } },
  };
}

const apply = (messages: Message[]) => applyMessages(ctx, xj, messages);

async function held(...numbers: string[]): Promise<void> {
  const res = await apply(numbers.map((n) => waybillMessage(n)));
  expect(res.accepted).toBe(numbers.length);
}

const sql = node.database.sql;
const statusOf = async (number: string) =>
  (await sql<{ status: string }[]>`select status from waybills where number = ${number}`)[0]
    ?.status;
const eventsOf = async (number: string) =>
  (
    await sql<{ type: string; at: string }[]>`
      select type, to_char(occurred_at at time zone 'UTC', 'HH24:MI') as at
      from waybill_events where waybill_number = ${number} order by occurred_at, type`
  ).map((e) => `${e.type}@${e.at}`);
const inboxIds = async (ids: string[]) =>
  (
    await sql<{ id: string }[]>`
      select message_id as id from federation_inbox where message_id = any(${ids})
      order by message_id`
  ).map((r) => r.id);
const outboxOf = async (number: string) =>
  (
    await sql<{ partner: string; type: string }[]>`
      select partner, type from federation_outbox where waybill_number = ${number} order by seq`
  ).map((r) => `${r.partner}:${r.type}`);
const totals = async () =>
  (
    await sql`
      select (select count(*) from federation_inbox)::int as inbox,
             (select count(*) from waybill_events)::int as events,
             (select count(*) from federation_outbox)::int as outbox,
             (select count(*) from feed_events)::int as feed,
             (select string_agg(status || version, ',' order by number) from waybills) as statuses`
  )[0];

/** Tracking for one waybill: in order, then one late report, then a repeat under a new id. */
const journey = (n: string): Message[] => [
  eventMessage(n, "picked_up", 1),
  eventMessage(n, "in_transit", 2),
  eventMessage(n, "at_border", 4),
  // Earlier than what is held: replayed, and changes nothing.
  eventMessage(n, "in_transit", 3),
  eventMessage(n, "cleared", 5),
  // The same report sent again under another id: held once.
  eventMessage(n, "cleared", 5),
];

describe("a batch of many events for several waybills", () => {
  it("ends as the same messages applied one at a time do", async () => {
    const batched = [newNumber(), newNumber(), newNumber()];
    const single = [newNumber(), newNumber(), newNumber()];
    await held(...batched, ...single);
    // The waybills' messages interleaved, as a sender's outbox would have them.
    const interleave = (numbers: string[]) => {
      const journeys = numbers.map(journey);
      return journeys[0]?.flatMap((_, i) => journeys.map((j) => j[i] as Message)) ?? [];
    };
    const batch = interleave(batched);
    expect(await apply(batch)).toEqual({ accepted: 18, duplicates: 0, deferred: 0 });
    for (const m of interleave(single)) {
      expect((await apply([m])).accepted).toBe(1);
    }
    for (const [i, number] of batched.entries()) {
      const other = single[i] as string;
      expect(await statusOf(number)).toBe("cleared");
      expect(await statusOf(number)).toBe(await statusOf(other));
      expect(await eventsOf(number)).toEqual([
        "picked_up@00:01",
        "in_transit@00:02",
        "in_transit@00:03",
        "at_border@00:04",
        "cleared@00:05",
      ]);
      expect(await eventsOf(number)).toEqual(await eventsOf(other));
      // Forwarded to GS only (never back to XJ): the waybill, then each event held.
      expect(await outboxOf(number)).toEqual(["GS:waybill", ...Array(5).fill("GS:event")]);
    }
    expect(await inboxIds(batch.map((m) => m.id))).toEqual(batch.map((m) => m.id).sort());
  });

  it("settles an out-of-order batch by replaying the whole set", async () => {
    const n = newNumber();
    await held(n);
    await apply([eventMessage(n, "picked_up", 1), eventMessage(n, "delivered", 9)]);
    // Both land before what is held: the replay of all four ignores the delivery.
    const res = await apply([eventMessage(n, "at_border", 5), eventMessage(n, "in_transit", 3)]);
    expect(res).toEqual({ accepted: 2, duplicates: 0, deferred: 0 });
    expect(await statusOf(n)).toBe("at_border");
    const late = newNumber();
    await held(late);
    await apply([eventMessage(late, "in_transit", 3), eventMessage(late, "picked_up", 1)]);
    expect(await statusOf(late)).toBe("in_transit");
  });
});

describe("the cost of a batch", () => {
  /** Statements sent to PostgreSQL while `fn` runs. */
  async function statements(fn: () => Promise<unknown>): Promise<string[]> {
    const sent: string[] = [];
    const options = sql.options as { debug?: unknown };
    options.debug = (_: number, query: string) => sent.push(query);
    try {
      await fn();
    } finally {
      options.debug = undefined;
    }
    // The node's own timers share the handle: the rate-limit flush (every 200 ms while a
    // budget is warm) and the key-use mark (once a minute) are not the batch's statements.
    return sent.filter((q) => !/rate_limit_buckets|last_used_at/.test(q));
  }

  it("does not grow with the number of messages", async () => {
    const few = [newNumber(), newNumber()];
    const many = Array.from({ length: 20 }, newNumber);
    await held(...few, ...many);
    const small = await statements(() => apply(few.flatMap(journey)));
    const large = await statements(() => apply(many.flatMap(journey)));
    expect(small.length).toBeGreaterThan(5);
    expect(large.length).toBe(small.length);
    // begin; lock and reads (3) with partners; inbox; events; statuses with outbox; commit:
    // six round trips, however many messages.
    expect(large.length).toBeLessThanOrEqual(10);
  });
});

describe("a batch mixing new and duplicate messages", () => {
  it("applies the new ones and counts the others as duplicates", async () => {
    const n = newNumber();
    await held(n);
    const first = [eventMessage(n, "picked_up", 1), eventMessage(n, "in_transit", 2)];
    expect(await apply(first)).toEqual({ accepted: 2, duplicates: 0, deferred: 0 });
    const third = eventMessage(n, "at_border", 3);
    const res = await apply([first[0] as Message, third, first[1] as Message, third]);
    expect(res).toEqual({ accepted: 1, duplicates: 3, deferred: 0 });
    expect(await eventsOf(n)).toEqual(["picked_up@00:01", "in_transit@00:02", "at_border@00:03"]);
    expect(await statusOf(n)).toBe("at_border");
    expect(await inboxIds([...first, third].map((m) => m.id))).toHaveLength(3);
    expect(await outboxOf(n)).toEqual(["GS:waybill", "GS:event", "GS:event", "GS:event"]);
  });
});

describe("a batch with events on waybills not held", () => {
  it("defers those, applies the rest, and applies them once their waybill arrives", async () => {
    const known = newNumber();
    const unknown = newNumber();
    const later = newNumber();
    await held(known);
    const early = eventMessage(unknown, "picked_up", 1);
    const beforeItsWaybill = eventMessage(later, "picked_up", 1);
    const batch = [
      early,
      eventMessage(known, "picked_up", 1),
      beforeItsWaybill,
      waybillMessage(later),
      eventMessage(later, "in_transit", 2),
      eventMessage(known, "in_transit", 2),
    ];
    expect(await apply(batch)).toEqual({ accepted: 4, duplicates: 0, deferred: 2 });
    expect(await inboxIds([early.id, beforeItsWaybill.id])).toEqual([]);
    expect(await statusOf(known)).toBe("in_transit");
    expect(await statusOf(unknown)).toBeUndefined();
    expect(await eventsOf(later)).toEqual(["in_transit@00:02"]);
    expect(await outboxOf(later)).toEqual(["GS:waybill", "GS:event"]);
    // The sender tries again: the waybill first, then the deferred events.
    const again = await apply([waybillMessage(unknown), early, beforeItsWaybill]);
    expect(again).toEqual({ accepted: 3, duplicates: 0, deferred: 0 });
    expect(await statusOf(unknown)).toBe("picked_up");
    // An earlier event than the one held: the replay keeps in_transit.
    expect(await statusOf(later)).toBe("in_transit");
    expect(await eventsOf(later)).toEqual(["picked_up@00:01", "in_transit@00:02"]);
  });
});

describe("a batch with a message outside the agreement", () => {
  it("is refused naming the field, and nothing of it is written", async () => {
    const inside = newNumber();
    const outside = newNumber();
    await held(inside);
    // Only in Kazakhstan: none of XJ's business, though XJ sent the waybill.
    await apply([waybillMessage(outside, "KZ-DOS", "KZ-ALA")]);
    const before = await totals();
    const batch = [
      eventMessage(inside, "picked_up", 1),
      waybillMessage(newNumber()),
      eventMessage(outside, "picked_up", 1),
      eventMessage(inside, "in_transit", 2),
    ];
    await expect(apply(batch)).rejects.toMatchObject({
      kind: "validation",
      details: [{ path: "waybill", message: "does not concern XJ" }],
    });
    expect(await totals()).toEqual(before);
    expect(await inboxIds(batch.map((m) => m.id))).toEqual([]);
  });

  it("names the first invalid message in order", async () => {
    const outside = newNumber();
    await apply([waybillMessage(outside, "KZ-DOS", "KZ-ALA")]);
    const inside = newNumber();
    const broken = { ...eventMessage(inside, "picked_up", 1), record: { type: "teleported" } };
    await expect(
      apply([waybillMessage(inside), broken, eventMessage(outside, "picked_up", 1)]),
    ).rejects.toMatchObject({ details: [{ path: "messages.1.record" }] });
    await expect(
      apply([eventMessage(outside, "picked_up", 1), waybillMessage(inside), broken]),
    ).rejects.toMatchObject({ details: [{ path: "waybill" }] });
  });
});

describe("events on this node's own waybills", () => {
  it("tell the parties of each move, and write the status once", async () => {
    const shipper = await registerShipper(node);
    const carrier = await registerCarrier(node);
    const res = await node.call("POST", "/v1/waybills", {
      key: shipper.key,
      body: {
        carrierId: carrier.id,
        origin: "KZ-ALA",
        destination: "CN-URC",
        cargo: loadBody().cargo,
        price: { amount: 18_000, currency: "CNY" },
        mode: "road",
        pickupAt: t(0),
        deliveryAt: t(3000),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const own = res.body.number as string;
    const versionOf = async () =>
      (await sql<{ version: number }[]>`select version from waybills where number = ${own}`)[0]
        ?.version;
    const before = await versionOf();
    const batch = [eventMessage(own, "picked_up", 1), eventMessage(own, "in_transit", 2)];
    expect(await apply(batch.map((m) => ({ ...m, homeNode: "KZ" })))).toMatchObject({
      accepted: 2,
    });
    expect(await statusOf(own)).toBe("in_transit");
    expect(await versionOf()).toBe((before ?? 0) + 1);
    const feed = await sql<{ org: string; from: string; to: string }[]>`
      select org_id as org, data->>'from' as from, data->>'to' as to from feed_events
      where entity_id = ${own} and type = 'waybill.status_changed' order by seq`;
    for (const org of [shipper.id, carrier.id]) {
      expect(feed.filter((f) => f.org === org).map((f) => `${f.from}>${f.to}`)).toEqual([
        "created>picked_up",
        "picked_up>in_transit",
      ]);
    }
  });
});

describe("a waybill that follows a routing quote", () => {
  it("keeps its route's totals and its legs' figures as the home node shared them", async () => {
    const number = newNumber();
    const message = waybillMessage(number);
    const route = {
      quoteId: "rq_01M8Q27K3WBVDF9GK4ZM96MZP1",
      route: 0,
      distanceKm: 1065,
      durationHours: 44.38,
      cost: 1713.34,
      currency: "USD",
      co2eKg: 1303.6,
      factorTable: "caravan-ef-2026.2",
    };
    const figures = {
      linkId: "D-URC-ALA",
      distanceKm: 1065,
      durationHours: 44.38,
      waitHours: 2.01,
      cost: 1713.34,
      currency: "USD",
      co2eKg: 1303.6,
      vehicles: 1,
      vehicleUnit: "truck",
    };
    const record = message.record as Record<string, unknown> & { legs: object[] };
    record.route = route;
    record.legs = record.legs.map((l) => ({ ...l, figures }));
    expect((await apply([message])).accepted).toBe(1);
    const [w] = await sql`select route from waybills where number = ${number}`;
    expect(w?.route).toEqual(route);
    const [leg] = await sql`select figures from waybill_legs where waybill_number = ${number}`;
    expect(leg?.figures).toEqual(figures);
  });
});
