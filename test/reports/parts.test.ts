import { describe, expect, it } from "vitest";
import { REPORT_BUILDERS } from "../../core/reports/builders";
import { geographyOf } from "../../core/reports/geography";
import { cellOfPart, partOf, type ReportPart } from "../../core/reports/parts";
import {
  type Cell,
  REPORT_NAMES,
  type ReportInput,
  type ReportName,
} from "../../core/reports/query";
import { loadSeedEngine } from "../../seed/network";

const geo = geographyOf(loadSeedEngine(), []);

/** A published Urumqi → Almaty road cell with these delivered transit-time buckets. */
function flowCell(_node: string, transitHist: number[], over: Partial<Cell> = {}): Cell {
  const delivered = transitHist.reduce((s, n) => s + n, 0);
  return {
    period: "2030-01-01",
    o_area: "650100",
    d_area: "KZ",
    mode: "road",
    hs_chapter: "84",
    corridor: "khorgos",
    waybills: delivered,
    tonnes: 12 * delivered,
    tonne_km: 12_000 * delivered,
    value_cny: 10_000 * delivered,
    priced_tonne_km: 12_000 * delivered,
    co2e_kg: 500 * delivered,
    delivered,
    on_time: delivered - 1,
    exceptions: 0,
    transit_hist: transitHist,
    delivered_km: 1_000 * delivered,
    delivered_hours: 40 * delivered,
    delivered_dwell_hours: 5 * delivered,
    published: true,
    ...over,
  };
}

/** A published cell of a link or a port (the other tables), with its sums. */
function otherCell(node: string, over: Partial<Cell>): Cell {
  return {
    period: "2030-01-01",
    mode: "road",
    corridor: "khorgos",
    waybills: 3,
    tonnes: 36,
    tonne_km: 9_000,
    value_cny: 30_000,
    priced_tonne_km: 9_000,
    co2e_kg: 400,
    crossings: 3,
    cleared: 3,
    gauge_transshipments: node === "xj" ? 0 : 3,
    dwell_hours: 30,
    dwell_hist: node === "xj" ? [0, 3] : [0, 0, 0, 0, 0, 3],
    published: true,
    ...over,
  };
}

type Tables = Record<string, Cell[]>;
const FIRST: Partial<Record<ReportName, string>> = {
  corridors: "report_link_cells",
  "border-ports": "report_port_cells",
  carec: "report_port_cells",
};

function input(cells: Cell[], parts?: ReportInput["parts"]): ReportInput {
  const params = {
    from: "2030-01-01",
    to: "2030-01-31",
    granularity: "month",
    level: "province",
  } as const;
  return { cells, params, geo, lang: "en", k: 3, parts };
}

function run(name: ReportName, tables: Tables, parts?: ReportInput["parts"]) {
  const cells = tables[FIRST[name] ?? "report_cells"] ?? [];
  return REPORT_BUILDERS[name](input(cells, parts), tables);
}

/** What a node would send a partner for this report. */
function partsOf(name: ReportName, tables: Tables): ReportPart[] {
  const parts: ReportPart[] = [];
  run(name, tables, (g) => parts.push(partOf(name, g)));
  return parts;
}

/** This node's tables with a partner's parts of the report among them. */
function withParts(tables: Tables, parts: readonly ReportPart[]): Tables {
  const out: Tables = {};
  for (const [t, cells] of Object.entries(tables)) out[t] = [...cells];
  for (const p of parts) out[p.table] = [...(out[p.table] ?? []), cellOfPart(p)];
  return out;
}

const both = (a: Tables, b: Tables): Tables =>
  Object.fromEntries(Object.keys(a).map((t) => [t, [...(a[t] ?? []), ...(b[t] ?? [])]]));

describe("combining a partner's parts", () => {
  // XJ's waybills are quick, KZ's slow: the combined median lies between, by the histograms.
  const xj: Tables = {
    report_cells: [
      flowCell("xj", [0, 0, 4, 0]),
      flowCell("xj", [0, 0, 2, 0], { hs_chapter: "85" }),
    ],
    report_link_cells: [otherCell("xj", { link_id: "CN-URC--CN-KHG" })],
    report_port_cells: [otherCell("xj", { port: "CN-KHG" })],
  };
  const kz: Tables = {
    report_cells: [flowCell("kz", [0, 0, 0, 0, 0, 3, 3])],
    report_link_cells: [otherCell("kz", { link_id: "CN-URC--CN-KHG", tonne_km: 4_000 })],
    report_port_cells: [otherCell("kz", { port: "CN-KHG" })],
  };
  const lonely = flowCell("kz", [0, 1], { published: false, corridor: "middle-corridor" });

  it.each<ReportName>([...REPORT_NAMES])(
    "gives %s the figures of one node holding both nodes' cells",
    (name) => {
      const combined = run(name, withParts(xj, partsOf(name, kz)));
      expect(combined).toEqual(run(name, both(xj, kz)));
      expect(combined.rows.length).toBeGreaterThan(0);
    },
  );

  it("merges histograms rather than averaging percentiles", () => {
    const [row] = run("performance", withParts(xj, partsOf("performance", kz))).rows;
    const [mine] = run("performance", xj).rows;
    const [theirs] = run("performance", kz).rows;
    expect(row?.delivered).toBe(12);
    expect(row?.transitHoursP50).toBe(run("performance", both(xj, kz)).rows[0]?.transitHoursP50);
    expect(row?.transitHoursP50).not.toBe(
      (Number(mine?.transitHoursP50) + Number(theirs?.transitHoursP50)) / 2,
    );
    const [port] = run("border-ports", withParts(xj, partsOf("border-ports", kz))).rows;
    expect(port).toMatchObject({ crossings: 6, gaugeTransshipments: 3 });
    expect(port?.dwellHoursP90).toBe(run("border-ports", both(xj, kz)).rows[0]?.dwellHoursP90);
  });

  it("sends a suppressed row as a count only, and counts it in the combined row", () => {
    const parts = partsOf("performance", { report_cells: [...(kz.report_cells ?? []), lonely] });
    const held = parts.find((p) => p.key.corridor === "middle-corridor");
    expect(held).toEqual({
      table: "report_cells",
      key: { period: "2030-01-01", corridor: "middle-corridor", mode: "road" },
      suppressed: 1,
    });
    const rows = run("performance", withParts(xj, parts)).rows;
    expect(rows.find((r) => r.corridor === "middle-corridor")).toMatchObject({ suppressed: true });
  });

  it("carries no party of a cell, and only the columns the report shows", () => {
    const parts = partsOf("flows", both(xj, kz));
    const text = JSON.stringify(parts);
    expect(text).not.toMatch(/xjs|xjc|kzs|kzc|shippers|carriers|hs_chapter/);
    expect(Object.keys(parts[0]?.sums ?? {}).sort()).toEqual([
      "tonne_km",
      "tonnes",
      "value_cny",
      "waybills",
    ]);
    expect(parts[0]?.hists).toEqual({});
  });
});
