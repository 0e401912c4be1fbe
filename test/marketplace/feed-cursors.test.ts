import { describe, expect, it } from "vitest";
import { createTestNode, type Reply, testFeedCursors } from "../support/app";
import { carrierWithTruck, placeBid, postLoad, registerShipper } from "./support";

// Feed cursors are opaque: a carrier cannot count the events that went to others between two
// of its own (the bids it competed with) from them, nor use another organisation's.
const node = await createTestNode();
const shipper = await registerShipper(node);
const carriers = await Promise.all(Array.from({ length: 6 }, () => carrierWithTruck(node)));
const [winner, ...rivals] = carriers as [(typeof carriers)[0], ...typeof carriers];

const show = (r: Reply) => JSON.stringify(r.body);
const feed = (key: string, query = "") => node.call("GET", `/v1/feed?limit=500${query}`, { key });

/**
 * The feed once it shows the organisation's `n` events: an event is shown once every older
 * transaction on the server has ended, which other databases' work can delay a little.
 */
async function feedOf(key: string, n: number) {
  const end = Date.now() + 20_000;
  for (;;) {
    const res = await feed(key);
    expect(res.status, show(res)).toBe(200);
    if (res.body.items.length >= n || Date.now() > end) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A load awarded to `winner` over `rivalCount` other bids. */
async function awardOver(rivalCount: number) {
  const load = await postLoad(node, shipper.key);
  const won = await placeBid(node, load.id, winner);
  for (const r of rivals.slice(0, rivalCount)) await placeBid(node, load.id, r);
  const res = await node.call("POST", `/v1/loads/${load.id}/award`, {
    key: shipper.key,
    body: { bidId: won.id },
  });
  expect(res.status, show(res)).toBe(201);
}

describe("feed cursors", () => {
  it("page through the whole feed, in order, with nothing repeated or missed", async () => {
    for (let i = 0; i < 7; i++) await postLoad(node, shipper.key);
    const all = await feedOf(shipper.key, 7);
    expect(all.body.items).toHaveLength(7);
    const seen: string[] = [];
    let since = "";
    for (let page = 0; page < 20; page++) {
      const res = await node.call("GET", `/v1/feed?limit=2${since}`, { key: shipper.key });
      expect(res.status, show(res)).toBe(200);
      if (res.body.items.length === 0) {
        expect(`&since=${res.body.nextCursor}`).toBe(since);
        break;
      }
      seen.push(...res.body.items.map((e: { cursor: string }) => e.cursor));
      since = `&since=${res.body.nextCursor}`;
    }
    expect(seen).toEqual(all.body.items.map((e: { cursor: string }) => e.cursor));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("show no transaction id or sequence, only a sealed form of them", async () => {
    await awardOver(0);
    await awardOver(rivals.length);
    await awardOver(1);
    const rows = await node.database.sql<{ txid: string; seq: number }[]>`
      select txid::text as txid, seq::int as seq from feed_events
       where org_id = ${winner.id} order by txid, seq`;
    const res = await feedOf(winner.key, rows.length);
    const cursors: string[] = res.body.items.map((e: { cursor: string }) => e.cursor);
    expect(cursors).toHaveLength(rows.length);
    cursors.forEach((c, i) => {
      expect(c).toMatch(/^[A-Za-z0-9_-]{35}$/);
      // Neither number shows in the cursor's bytes (a short number can turn up in the base64
      // text by chance, so the decoded bytes are what is checked).
      const bytes = Buffer.from(c, "base64url").toString("latin1");
      expect(bytes).not.toContain(String(rows[i]?.seq));
      expect(bytes).not.toContain(String(rows[i]?.txid));
      expect(c).not.toContain(String(rows[i]?.txid));
      // What is sealed inside: the position, which would show the rivals' events in the gaps.
      expect(testFeedCursors.open(winner.id, c)).toEqual(rows[i]);
    });
    const seqs = rows.map((r) => r.seq);
    expect(seqs.some((s, i) => i > 0 && s - (seqs[i - 1] ?? 0) > 1)).toBe(true);
  });

  it("resume from the last cursor with nothing new: no items, the same cursor back", async () => {
    const res = await feed(winner.key);
    const last = res.body.nextCursor;
    const again = await feed(winner.key, `&since=${last}`);
    expect(again.status, show(again)).toBe(200);
    expect(again.body).toEqual({ items: [], nextCursor: last });
  });

  it.each([
    ["another organisation's cursor", async () => (await feed(winner.key)).body.nextCursor, 0],
    ["a tampered cursor", async () => tamper((await feed(shipper.key)).body.nextCursor), 1],
    ["the old <txid>.<seq> form", async () => "1234.5678", 1],
    [
      "base64url with a stray character",
      async () => `${(await feed(shipper.key)).body.nextCursor}!`,
      1,
    ],
    ["a cursor of the wrong length", async () => "AAAA", 1],
  ])("refuse %s with 400 naming `since`", async (_, cursor, who) => {
    const key = who === 0 ? (rivals[0]?.key ?? "") : shipper.key;
    const res = await feed(key, `&since=${encodeURIComponent(await cursor())}`);
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details[0].path).toBe("since");
  });
});

function tamper(cursor: string): string {
  const i = 7;
  const c = cursor[i] === "A" ? "B" : "A";
  return cursor.slice(0, i) + c + cursor.slice(i + 1);
}
