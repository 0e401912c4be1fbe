import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  validateChinesePlate,
  validateCreditCode,
  validateHsCode,
  validateRegistrationNumber,
  validateUnitNumber,
} from "../../core/validation";
import { fingerprint, replay } from "../../core/waybills/lifecycle";
import { checkWaybillNumber } from "../../core/waybills/number";
import type { Place, WaybillState } from "../../db/schema";
import { partyCounts } from "../../seed/history/parties";
import { SeedRefused, seedHistory } from "../../seed/history/run";
import { loadSeedEngine } from "../../seed/network";
import { createTestNode } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";

const WAYBILLS = 300;
const OPTIONS = {
  waybills: WAYBILLS,
  seed: 42,
  until: new Date("2026-11-30T00:00:00Z"),
  nodeCode: "XJ",
};
const engine = loadSeedEngine();

const first = await createTestDatabase();
const second = await createTestDatabase();
// Three batches: made by generator threads in one database, in this thread in the other.
await seedHistory(first, engine, { ...OPTIONS, batchSize: 100, threads: 2 });
await seedHistory(second, engine, { ...OPTIONS, batchSize: 100, threads: 0 });

async function count(db: TestDatabase, table: string): Promise<number> {
  const [row] = await db.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`);
  return row?.n ?? 0;
}

describe("what a seed run writes", () => {
  it("writes the waybills asked for, with their loads, bids, legs and events", async () => {
    const parties = partyCounts(WAYBILLS);
    expect(await count(first, "waybills")).toBe(WAYBILLS);
    expect(await count(first, "loads")).toBeGreaterThan(WAYBILLS);
    const [loads] = await first.sql<{ awarded: number; unmatched: number; others: number }[]>`
      select count(*) filter (where l.status = 'awarded')::int as awarded,
             count(*) filter (where l.status = 'awarded' and w.number is null)::int as unmatched,
             count(*) filter (where l.status in ('unawarded', 'cancelled'))::int as others
        from loads l left join waybills w on w.load_id = l.id and w.bid_id = l.awarded_bid_id`;
    expect(loads).toMatchObject({ awarded: WAYBILLS, unmatched: 0 });
    expect(loads?.others).toBeGreaterThan(0);
    expect(await count(first, "organizations")).toBe(parties.shippers + parties.carriers);
    expect(await count(first, "bids")).toBeGreaterThanOrEqual(WAYBILLS);
    expect(await count(first, "waybill_legs")).toBeGreaterThanOrEqual(WAYBILLS);
    expect(await count(first, "waybill_events")).toBeGreaterThan(5 * WAYBILLS);
    expect(await count(first, "vehicles")).toBeGreaterThan(0);
  });

  it("gives every waybill the status its events replay to, and events their fingerprints", async () => {
    const rows = await first.sql<
      {
        number: string;
        status: WaybillState;
        events: {
          type: WaybillState;
          occurredAt: string;
          location: Place | null;
          details: Record<string, unknown>;
          fingerprint: string;
        }[];
      }[]
    >`select w.number, w.status,
             json_agg(json_build_object('type', e.type, 'occurredAt', e.occurred_at,
               'location', e.location, 'details', e.details, 'fingerprint', e.fingerprint)) as events
        from waybills w join waybill_events e on e.waybill_number = w.number
       group by w.number, w.status`;
    expect(rows).toHaveLength(WAYBILLS);
    const statuses = new Set<string>();
    for (const w of rows) {
      const events = w.events.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt) }));
      for (const e of events) expect(fingerprint(e), w.number).toBe(e.fingerprint);
      const r = replay(events);
      expect({ number: w.number, status: r.status, ignored: r.ignored }).toEqual({
        number: w.number,
        status: w.status,
        ignored: [],
      });
      expect(checkWaybillNumber(w.number).ok).toBe(true);
      statuses.add(w.status);
    }
    expect(statuses.has("pod_confirmed")).toBe(true);
  });

  it("registers organisations and vehicles under identifiers the node's validators accept", async () => {
    const orgs = await first.sql<
      {
        country: string;
        credit_code: string | null;
        registration_number: string | null;
        division_code: string | null;
        status: string;
      }[]
    >`
      select country, credit_code, registration_number, division_code, status from organizations`;
    for (const o of orgs) {
      expect(o.status).toBe("verified");
      if (o.country === "CN") {
        const r = validateCreditCode(o.credit_code ?? "");
        expect(r, o.credit_code ?? "").toMatchObject({ ok: true, divisionCode: o.division_code });
        expect(o.division_code?.slice(0, 2)).toMatch(/^6[1-5]$/);
      } else {
        const r = validateRegistrationNumber(o.country, o.registration_number ?? "");
        expect(r, `${o.country} ${o.registration_number}`).toMatchObject({ ok: true });
      }
    }
    const vehicles = await first.sql<{ mode: "road" | "rail"; plate: string; country: string }[]>`
      select v.mode, v.plate, o.country from vehicles v join organizations o on o.id = v.carrier_id`;
    for (const v of vehicles) {
      expect(validateUnitNumber(v.mode, v.plate), v.plate).toMatchObject({ ok: true });
      if (v.mode === "road" && v.country === "CN")
        expect(validateChinesePlate(v.plate), v.plate).toMatchObject({ ok: true });
    }
    // JSON is written with its non-ASCII characters escaped; jsonb must read them back.
    const [arrow] = await first.sql<{ note: string }[]>`
      select p->>'note' as note from waybills, jsonb_array_elements(points) p
       where p->>'kind' = 'border_crossing' limit 1`;
    expect(arrow?.note).toMatch(/^[A-Z]{2} → [A-Z]{2}$/);
    const codes = await first.sql<{ hs: string }[]>`select cargo->>'hsCode' as hs from waybills`;
    for (const c of codes) expect(validateHsCode(c.hs).ok).toBe(true);
  });
});

describe("determinism and refusal", () => {
  it.each([
    "organizations",
    "vehicles",
    "loads",
    "bids",
    "waybills",
    "waybill_legs",
    "waybill_events",
  ])("the same seed writes the same %s, whichever thread made it", async (table) => {
    const digest = async (db: TestDatabase) => {
      const [row] = await db.sql.unsafe<{ d: string }[]>(
        `select md5(string_agg(t::text, '|' order by t::text)) as d from ${table} t`,
      );
      return row?.d;
    };
    expect(await digest(first)).toBe(await digest(second));
  });

  it("refuses a second run on the same database", async () => {
    await expect(seedHistory(first, engine, OPTIONS)).rejects.toThrow(SeedRefused);
    expect(await count(first, "waybills")).toBe(WAYBILLS);
  });

  it("the command exits non-zero with a one-line reason", async () => {
    const run = promisify(execFile);
    const failed = await run("npx", ["tsx", "seed/cli.ts", "--waybills", "10"], {
      env: { ...process.env, DATABASE_URL: first.url },
    }).catch((e: { code: number; stderr: string }) => e);
    expect("code" in failed && failed.code).toBe(1);
    expect(failed.stderr.trim().split("\n")).toHaveLength(1);
    expect(failed.stderr).toMatch(/already holds sample data/);
  });
});

describe("a node over seeded history", () => {
  it("serves a seeded waybill, and says its events carry no recorder signature", async () => {
    const node = await createTestNode({ database: first });
    const [w] = await first.sql<{ number: string; status: string }[]>`
      select number, status from waybills order by number desc limit 1`;
    if (!w) throw new Error("no waybill");
    const res = await node.call("GET", `/v1/waybills/${w.number}`, { key: node.adminKey });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ number: w.number, status: w.status });
    const verify = await node.call("GET", `/v1/waybills/${w.number}/verify`, {
      key: node.adminKey,
    });
    expect(verify.status, JSON.stringify(verify.body)).toBe(200);
    expect(verify.body).toMatchObject({ ok: false, firstBadEvent: { reason: "unsigned" } });
  });
});
