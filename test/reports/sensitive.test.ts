import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { beforeAll, describe, expect, it } from "vitest";
import { REPORT_NAMES } from "../../core/reports/query";
import * as schema from "../../db/schema";
import { type Bidder, carrierWithTruck, placeBid, postLoad } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { createRegulator, type Registered, registerShipper } from "../support/fixtures";
import { refreshReportsOf, type Shipment, ship } from "./support";

/**
 * No report answer, JSON or CSV, in either language, holds a value of any field classified
 * `sensitive` (prices, contacts, event details, …) nor an organisation's id or name.
 */

let node: TestNode;
let regulator: Registered;
const orgs: { id: string; name: string }[] = [];

const exports = schema as Record<string, unknown>;
const singular = (name: string) => name.replace(/ies$/, "y").replace(/s$/, "");

/** Every leaf of a value: strings and numbers inside objects and arrays. */
function leaves(v: unknown, out: (string | number)[] = []): (string | number)[] {
  if (typeof v === "string" || typeof v === "number") out.push(v);
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (v && typeof v === "object" && !(v instanceof Date)) {
    for (const x of Object.values(v)) leaves(x, out);
  }
  return out;
}

/**
 * The values of every `sensitive` column of every classified table, as the database holds them,
 * less those that also fill a column of a lower class: some sensitive columns (audit and feed
 * data, stored responses) hold copies of whole records, whose public fields are no secret.
 */
async function sensitiveValues(): Promise<Set<string | number>> {
  const secret = new Set<string | number>();
  const open = new Set<string | number>();
  for (const [name, table] of Object.entries(exports)) {
    if (!is(table, PgTable)) continue;
    const classes = (exports[`${singular(name)}Classes`] ?? exports[`${name}Classes`]) as
      | Record<string, string>
      | undefined;
    expect(classes, getTableName(table)).toBeDefined();
    // The report tables are made from the very values under test: they vouch for nothing.
    const derived = getTableName(table).startsWith("report_");
    const rows = await node.database.db.select().from(table);
    for (const row of rows as Record<string, unknown>[]) {
      for (const [column, cls] of Object.entries(classes ?? {})) {
        const into = cls === "sensitive" ? secret : derived ? null : open;
        for (const leaf of leaves(row[column])) into?.add(leaf);
      }
    }
  }
  for (const v of open) secret.delete(v);
  return secret;
}

const day = (d: string) => new Date(`${d}T06:00:00Z`);

beforeAll(async () => {
  node = await createTestNode();
  regulator = await createRegulator(node);
  const shippers: Registered[] = [];
  const carriers: Bidder[] = [];
  for (let i = 0; i < 4; i++) {
    const contact = {
      name: `Contact Person ${i}${i}`,
      phone: `+86 991 777 01${i}${i}`,
      email: `c${i}@secret.example.cn`,
    };
    const s = await registerShipper(node, { body: { name: `Shipper Secretname ${i}`, contact } });
    shippers.push(s);
    orgs.push({ id: s.id, name: `Shipper Secretname ${i}` });
    const c = await carrierWithTruck(node, { body: { name: `Carrier Secretname ${i}`, contact } });
    carriers.push(c);
    orgs.push({ id: c.id, name: `Carrier Secretname ${i}` });
  }
  // A load with a reserve and bids (sensitive amounts), awarded: its waybill joins a cell.
  const load = await postLoad(node, (shippers[3] as Registered).key, {
    reservePrice: { amount: 47_119, currency: "CNY" },
  });
  const bid = await placeBid(node, load.id, carriers[3] as Bidder, {
    price: { amount: 45_223, currency: "CNY" },
  });
  const award = await node.call("POST", `/v1/loads/${load.id}/award`, {
    key: (shippers[3] as Registered).key,
    body: { bidId: bid.id },
  });
  expect(award.status, JSON.stringify(award.body)).toBe(201);
  const journey = (i: number, priceCny: number, d: string): Shipment => ({
    shipper: shippers[i] as Registered,
    carrier: carriers[i] as Bidder,
    from: "CN-URC",
    to: "KZ-ALA",
    mode: "road",
    weightKg: 12_000 + i * 1_111,
    hsCode: "520100",
    priceCny,
    pickupAt: day(d),
    events: [
      { type: "in_transit", at: day(d) },
      {
        type: "at_border",
        at: new Date(day(d).getTime() + 20 * 3_600_000),
        location: "CN-KHR",
        details: { customsOfficer: "Officer Zhang Secret", sealNo: "SEAL-99173" },
      },
      {
        type: "cleared",
        at: new Date(day(d).getTime() + 27 * 3_600_000),
        details: { declarationNo: "DECL-650120300117" },
      },
      { type: "delivered", at: new Date(day(d).getTime() + 60 * 3_600_000) },
    ],
  });
  // A published cell of three shippers and carriers, and one shipper alone another day.
  for (const [i, price] of [31_417, 29_683, 33_851].entries()) {
    await ship(node, journey(i, price, "2030-01-10"));
  }
  await ship(node, journey(0, 54_321, "2030-01-12"));
  await refreshReportsOf(node);
}, 120_000);

describe("sensitive fields and organisations", () => {
  let answers: string[] = [];
  // Taken before the reads: each read's own audit entry (its filters) is not the data's.
  let values = new Set<string | number>();

  beforeAll(async () => {
    values = await sensitiveValues();
    for (const name of REPORT_NAMES) {
      for (const granularity of ["day", "week", "month"]) {
        for (const lang of ["zh", "en"]) {
          for (const format of ["json", "csv"]) {
            const q = new URLSearchParams({
              from: "2030-01-01",
              to: "2030-01-31",
              granularity,
              level: "prefecture",
              lang,
              format,
            });
            const res = await node.call("GET", `/v1/reports/${name}?${q}`, { key: regulator.key });
            expect(res.status, JSON.stringify(res.body)).toBe(200);
            answers.push(typeof res.body === "string" ? res.body : JSON.stringify(res.body));
          }
        }
      }
    }
    answers = answers.filter((a) => a.length > 0);
  }, 120_000);

  it("the reports have figures to scan", () => {
    expect(answers.some((a) => a.includes('"tonnes":'))).toBe(true);
  });

  it("no answer holds a value of a sensitive field", async () => {
    for (const v of [31_417, 29_683, 33_851, 54_321, 45_223, 47_119, "SEAL-99173"]) {
      expect(values, `${v} is among the sensitive values`).toContain(v);
    }
    for (const v of values) {
      // A currency code is a word of the vocabulary, not a secret; secrets have more to them.
      if (typeof v === "string" && v.length < 4) continue;
      const text = String(v);
      const pattern =
        typeof v === "number"
          ? new RegExp(`(?<![\\d.])${text.replace(".", "\\.")}(?:\\.0+)?(?![\\d.])`)
          : null;
      for (const a of answers) {
        const found = pattern ? pattern.test(a) : a.includes(text);
        expect(found, `${text} in ${a.slice(0, 300)}`).toBe(false);
      }
    }
  });

  it("no answer names an organisation or gives its id", () => {
    for (const o of orgs) {
      for (const a of answers) {
        expect(a).not.toContain(o.id);
        expect(a).not.toContain(o.name);
      }
    }
  });
});
