import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type Bidder, carrierWithTruck } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { createRegulator, type Registered, registerShipper } from "../support/fixtures";
import { prng, refreshReportsOf, type Shipment, ship } from "./support";

/**
 * An adversary asks hundreds of overlapping questions and subtracts every answer from every
 * other, trying to find the figures of one shipper (X) and one carrier (Y) that are alone or
 * with one other party in some cells. Published cells are the day cells of the facts with at
 * least k = 3 distinct shippers and carriers; every figure must be a sum of them.
 */

const K = 3;
const day = (d: string) => new Date(`${d}T06:00:00Z`);
const ROUTES = [
  { from: "CN-URC", to: "KZ-ALA", mode: "road" },
  { from: "CN-LHW", to: "CN-XNN", mode: "road" },
  { from: "CN-URC", to: "KZ-ALA", mode: "rail" },
  { from: "CN-KHG", to: "KG-OSS", mode: "road" },
] as const;
const DAYS = ["2030-01-03", "2030-01-10", "2030-01-17", "2030-02-07"];

let node: TestNode;
let regulator: Registered;
let x: Registered;
let y: Bidder;
const shippers: Registered[] = [];
const carriers: Bidder[] = [];
/** The waybills whose cells hold fewer than k parties, and whose figures must stay hidden. */
const hidden: { who: string; numbers: string[] }[] = [];

beforeAll(async () => {
  node = await createTestNode();
  regulator = await createRegulator(node);
  for (let i = 0; i < 6; i++) {
    shippers.push(await registerShipper(node));
    carriers.push(await carrierWithTruck(node));
  }
  x = await registerShipper(node);
  y = await carrierWithTruck(node);
  const rand = prng(11);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)] as T;
  const base = (over: Partial<Shipment>): Shipment => ({
    shipper: pick(shippers),
    carrier: pick(carriers),
    ...ROUTES[0],
    weightKg: 1000 * (5 + Math.floor(rand() * 26)),
    hsCode: "520100",
    priceCny: 1000 * (10 + Math.floor(rand() * 50)),
    pickupAt: day(DAYS[0] as string),
    ...over,
  });
  // Background: on each day and route, three or four distinct shippers and carriers (hs 52).
  for (const d of DAYS) {
    for (const route of ROUTES) {
      const n = 3 + Math.floor(rand() * 2);
      const offset = Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) {
        await ship(
          node,
          base({
            ...route,
            shipper: shippers[(offset + i) % 6],
            carrier: carriers[(offset + i + 1) % 6],
            pickupAt: day(d),
          }),
        );
      }
    }
  }
  // Machines (hs 84) Urumqi → Almaty: a published cell on 3 January, so January's is too...
  for (let i = 0; i < 3; i++) {
    await ship(node, base({ shipper: shippers[i], carrier: carriers[i], hsCode: "847100" }));
  }
  // ...and on 10 January X with one other shipper: suppressed, with X's distinctive tonnage.
  const big = { weightKg: 37_777, hsCode: "847100", priceCny: 77_777 };
  const xWithOne = [
    await ship(
      node,
      base({ ...big, shipper: x, carrier: carriers[0], pickupAt: day("2030-01-10") }),
    ),
  ];
  await ship(
    node,
    base({
      shipper: shippers[4],
      carrier: carriers[4],
      hsCode: "847100",
      pickupAt: day("2030-01-10"),
    }),
  );
  hidden.push({ who: "shipper X with one other", numbers: xWithOne });
  // X alone, Kashgar → Osh on 17 January (hs 84).
  const xAlone = await ship(
    node,
    base({ ...big, ...ROUTES[3], shipper: x, carrier: carriers[2], pickupAt: day("2030-01-17") }),
  );
  hidden.push({ who: "shipper X alone", numbers: [xAlone] });
  // Carrier Y carries for two of three shippers Lanzhou → Xining on 7 February (hs 84).
  const yLoads: string[] = [];
  for (const i of [0, 1]) {
    yLoads.push(
      await ship(
        node,
        base({
          ...ROUTES[1],
          shipper: shippers[i],
          carrier: y,
          weightKg: 23_456,
          hsCode: "847100",
          priceCny: 44_444,
          pickupAt: day("2030-02-07"),
        }),
      ),
    );
  }
  await ship(
    node,
    base({
      ...ROUTES[1],
      shipper: shippers[2],
      carrier: carriers[5],
      hsCode: "847100",
      pickupAt: day("2030-02-07"),
    }),
  );
  hidden.push({ who: "carrier Y with one other", numbers: yLoads });
  await refreshReportsOf(node);
}, 300_000);

interface FactRow {
  number: string;
  shipper_id: string;
  carrier_id: string;
  day: string;
  o_area: string;
  d_area: string;
  mode: string;
  hs_chapter: string;
  corridor: string;
  tonnes: number;
  tonne_km: number;
  value_cny: number | null;
  co2e_kg: number;
}

async function facts(): Promise<FactRow[]> {
  const rows = await node.database.db.execute(
    sql`select number, shipper_id, carrier_id, day::text as day, o_area, d_area, mode,
          hs_chapter, corridor, tonnes, tonne_km, value_cny, co2e_kg from report_facts`,
  );
  return rows as unknown as FactRow[];
}

const cellOf = (f: FactRow) =>
  [f.day, f.o_area, f.d_area, f.mode, f.hs_chapter, f.corridor].join("|");

/** The day cells with at least k distinct shippers and k distinct carriers. */
function publishedCells(all: readonly FactRow[]): Set<string> {
  const parties = new Map<string, { s: Set<string>; c: Set<string> }>();
  for (const f of all) {
    const p = parties.get(cellOf(f)) ?? { s: new Set(), c: new Set() };
    p.s.add(f.shipper_id);
    p.c.add(f.carrier_id);
    parties.set(cellOf(f), p);
  }
  return new Set([...parties].filter(([, p]) => p.s.size >= K && p.c.size >= K).map(([k]) => k));
}

// --- the adversary's questions --------------------------------------------------------------

type Params = Record<string, string>;
const REPORTS = [
  "flows",
  "modal-split",
  "performance",
  "emissions",
  "corridors",
  "prices",
  "carec",
];
const FIELDS = ["tonnes", "tonneKm", "valueCny", "tonnesCo2e"] as const;
type Field = (typeof FIELDS)[number];
/** Half a unit of each figure's last rounded digit, and a little more. */
const TOLERANCE: Record<Field, number> = {
  tonnes: 0.0011,
  tonneKm: 0.0011,
  valueCny: 0.011,
  tonnesCo2e: 0.0011,
};

function randomQuery(rand: () => number): { name: string; params: Params } {
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)] as T;
  const start = new Date(Date.UTC(2030, 0, 1 + Math.floor(rand() * 50)));
  const end = new Date(start.getTime() + Math.floor(rand() * 45) * 86_400_000);
  const params: Params = {
    from: start.toISOString().slice(0, 10),
    to: end.toISOString().slice(0, 10),
    granularity: pick(["day", "week", "month"]),
    level: pick(["country", "province", "prefecture"]),
  };
  const optional: [string, readonly string[]][] = [
    ["origin", ["CN", "650000", "650100", "620100", "653100"]],
    ["destination", ["KZ", "KG", "CN", "630000", "630100"]],
    ["mode", ["road", "rail"]],
    ["hsChapter", ["52", "84"]],
    ["corridor", ["cn-eu-khorgos", "cn-eu-alashankou", "cn-kg-uz", "none"]],
  ];
  for (const [name, values] of optional) if (rand() < 0.3) params[name] = pick(values);
  return { name: pick(REPORTS), params };
}

type Answer = {
  name: string;
  params: Params;
  rows: Record<string, unknown>[];
  totals: Record<string, unknown>;
};

/** An answer, or null for a filter the report refuses (its link or port figures lack it). */
async function ask(name: string, params: Params): Promise<Answer | null> {
  const res = await node.call("GET", `/v1/reports/${name}?${new URLSearchParams(params)}`, {
    key: regulator.key,
  });
  if (res.status === 400 && /cannot filter/.test(res.body?.error?.message ?? "")) return null;
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { name, params, rows: res.body.rows, totals: res.body.totals };
}

const asNumber = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Every figure the adversary can derive: each figure, and totals less their visible rows. */
function derived(answers: readonly Answer[], field: Field): number[] {
  const out: number[] = [];
  for (const a of answers) {
    let visible = 0;
    for (const r of a.rows) {
      const v = asNumber(r[field]);
      if (v !== null) {
        out.push(v);
        visible += v;
      }
    }
    const total = asNumber(a.totals[field]);
    if (total !== null) out.push(total, total - visible);
  }
  return out.sort((p, q) => p - q);
}

/** Whether two of the values (or one alone) differ by `target`, within `tol`: all pairs, sorted. */
function differenceFound(values: readonly number[], target: number, tol: number): boolean {
  let j = 0;
  for (const v of values) {
    if (Math.abs(v - target) <= tol) return true;
    while (j < values.length && (values[j] as number) < v + target - tol) j++;
    if (j < values.length && Math.abs((values[j] as number) - v - target) <= tol) return true;
  }
  return false;
}

function contribution(all: readonly FactRow[], numbers: readonly string[]): Record<Field, number> {
  const mine = all.filter((f) => numbers.includes(f.number));
  const s = (g: (f: FactRow) => number) => mine.reduce((acc, f) => acc + g(f), 0);
  return {
    tonnes: s((f) => f.tonnes),
    tonneKm: s((f) => f.tonne_km),
    valueCny: s((f) => f.value_cny ?? 0),
    tonnesCo2e: s((f) => f.co2e_kg / 1000),
  };
}

describe("differencing", () => {
  let asked: (Answer | null)[] = [];
  let answers: Answer[] = [];

  beforeAll(async () => {
    const rand = prng(2030);
    for (let i = 0; i < 520; i++) {
      const q = randomQuery(rand);
      asked.push(await ask(q.name, q.params));
    }
    // Pointed questions too: each isolated cell's whole month and its neighbours.
    for (const name of REPORTS) {
      for (const granularity of ["day", "week", "month"]) {
        for (const [from, to] of [
          ["2030-01-01", "2030-01-31"],
          ["2030-02-01", "2030-02-28"],
          ["2030-01-10", "2030-01-17"],
        ] as const) {
          asked.push(await ask(name, { from, to, granularity, level: "prefecture" }));
          asked.push(await ask(name, { from, to, granularity, level: "country", hsChapter: "84" }));
        }
      }
    }
    answers = asked.filter((a): a is Answer => a !== null && a.rows.length > 0);
    asked = [];
  }, 300_000);

  it("the isolated parties are in cells with fewer than k parties", async () => {
    const all = await facts();
    const published = publishedCells(all);
    for (const h of hidden) {
      for (const n of h.numbers) {
        const f = all.find((r) => r.number === n);
        expect(f, h.who).toBeDefined();
        expect(published.has(cellOf(f as FactRow)), h.who).toBe(false);
      }
    }
  });

  it.each(FIELDS)("no figure nor difference of two reveals a hidden %s", async (field) => {
    expect(answers.length).toBeGreaterThan(300);
    const all = await facts();
    const values = derived(answers, field);
    for (const h of hidden) {
      const secret = contribution(all, h.numbers)[field];
      expect(secret).toBeGreaterThan(0);
      expect(differenceFound(values, secret, TOLERANCE[field]), `${h.who}: ${secret}`).toBe(false);
    }
  });

  it("the check sees a difference when there is one", () => {
    expect(differenceFound([10, 47.777], 37.777, 0.0011)).toBe(true);
    expect(differenceFound([37.7775], 37.777, 0.0011)).toBe(true);
    expect(differenceFound([10, 20, 47.8], 37.777, 0.0011)).toBe(false);
  });

  it("each visible flows and emissions row is the sum of the published cells it covers", async () => {
    const all = await facts();
    const published = publishedCells(all);
    let checked = 0;
    for (const a of answers.filter((x) => x.name === "flows" || x.name === "emissions")) {
      const expected = expectedRows(all, published, a);
      for (const row of a.rows) {
        const key =
          a.name === "flows"
            ? [row.period, row.origin, row.destination]
            : [row.period, row.corridor, row.mode];
        const want = expected.get(key.join("|"));
        if (row.suppressed === true) {
          expect(want, JSON.stringify({ params: a.params, row })).toBeUndefined();
          continue;
        }
        expect(want, JSON.stringify({ params: a.params, row })).toBeDefined();
        const w = want as Record<Field | "waybills", number>;
        const fields =
          a.name === "flows"
            ? (["waybills", "tonnes", "tonneKm", "valueCny"] as const)
            : (["tonnesCo2e", "tonneKm"] as const);
        for (const f of fields) {
          expect(row[f], `${f} ${JSON.stringify({ params: a.params, row })}`).toBeCloseTo(w[f], 2);
        }
        checked++;
      }
      const rowsShown = a.rows.filter((r) => r.suppressed !== true).length;
      expect(rowsShown, JSON.stringify(a.params)).toBe(expected.size);
    }
    expect(checked).toBeGreaterThan(50);
  });
});

const monthStart = (d: string) => `${d.slice(0, 7)}-01`;
function bucket(d: string, granularity: string): string {
  if (granularity === "day") return d;
  if (granularity === "month") return monthStart(d);
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 6) % 7));
  return t.toISOString().slice(0, 10);
}
const at = (area: string, level: string) =>
  !/^\d{6}$/.test(area)
    ? area
    : level === "country"
      ? "CN"
      : level === "province"
        ? `${area.slice(0, 2)}0000`
        : area;
function inside(area: string, filter: string | undefined): boolean {
  if (!filter) return true;
  if (/^[A-Z]{2}$/.test(filter)) return at(area, "country") === filter;
  if (filter.endsWith("0000")) return at(area, "province") === filter;
  return area === filter;
}

/** A report's rows recomputed from the facts of published cells, independently of its code. */
function expectedRows(all: readonly FactRow[], published: Set<string>, a: Answer) {
  const p = a.params;
  const from = p.granularity === "month" ? monthStart(p.from as string) : (p.from as string);
  const out = new Map<string, Record<Field | "waybills", number>>();
  for (const f of all) {
    if (!published.has(cellOf(f))) continue;
    if (f.day < from || (p.granularity !== "month" && f.day > (p.to as string))) continue;
    if (p.granularity === "month" && monthStart(f.day) > monthStart(p.to as string)) continue;
    if ((p.mode && f.mode !== p.mode) || (p.hsChapter && f.hs_chapter !== p.hsChapter)) continue;
    if (p.corridor && f.corridor !== p.corridor) continue;
    if (!inside(f.o_area, p.origin) || !inside(f.d_area, p.destination)) continue;
    const period = bucket(f.day, p.granularity as string);
    const key =
      a.name === "flows"
        ? [period, at(f.o_area, p.level as string), at(f.d_area, p.level as string)]
        : [period, f.corridor, f.mode];
    const acc = out.get(key.join("|")) ?? {
      waybills: 0,
      tonnes: 0,
      tonneKm: 0,
      valueCny: 0,
      tonnesCo2e: 0,
    };
    acc.waybills += 1;
    acc.tonnes += f.tonnes;
    acc.tonneKm += f.tonne_km;
    acc.valueCny += f.value_cny ?? 0;
    acc.tonnesCo2e += f.co2e_kg / 1000;
    out.set(key.join("|"), acc);
  }
  return out;
}
