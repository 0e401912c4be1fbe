import { describe, expect, it } from "vitest";
import { REPORT_BUILDERS } from "../../core/reports/builders";
import { geographyOf } from "../../core/reports/geography";
import { cellOfPart, partOf, type ReportPart } from "../../core/reports/parts";
import type { Cell, ReportInput, ReportName } from "../../core/reports/query";
import { loadSeedEngine } from "../../seed/network";

const geo = geographyOf(loadSeedEngine(), []);
const parties = (prefix: string) => ["1", "2", "3"].map((n) => `${prefix}${n}`);

/** A published Urumqi → Almaty road cell with these delivered transit-time buckets. */
function flowCell(node: string, transitHist: number[], over: Partial<Cell> = {}): Cell {
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
    shippers: parties(`${node}s`),
    carriers: parties(`${node}c`),
    ...over,
  };
}

function input(cells: Cell[], parts?: ReportInput["parts"]): ReportInput {
  const params = {
    from: "2030-01-01",
    to: "2030-01-31",
    granularity: "month",
    level: "province",
  } as const;
  return { cells, params, geo, lang: "en", k: 3, parts };
}

function run(name: ReportName, cells: Cell[], parts?: ReportInput["parts"]) {
  return REPORT_BUILDERS[name](input(cells, parts), { report_cells: cells });
}

/** What a node would send a partner for this report. */
function partsOf(name: ReportName, cells: Cell[]): ReportPart[] {
  const parts: ReportPart[] = [];
  run(name, cells, (g) => parts.push(partOf(g)));
  return parts;
}

describe("combining a partner's parts", () => {
  // XJ's waybills are quick, KZ's slow: the combined median lies between, by the histograms.
  const xj = [flowCell("xj", [0, 0, 4, 0]), flowCell("xj", [0, 0, 2, 0], { hs_chapter: "85" })];
  const kz = [flowCell("kz", [0, 0, 0, 0, 0, 3, 3])];
  const lonely = flowCell("kz", [0, 1], { shippers: ["kz1"], corridor: "middle-corridor" });

  it.each<ReportName>(["performance", "prices", "emissions", "carec", "flows", "modal-split"])(
    "gives %s the figures of one node holding both nodes' cells",
    (name) => {
      const combined = run(name, [...xj, ...partsOf(name, kz).map(cellOfPart)]);
      expect(combined).toEqual(run(name, [...xj, ...kz]));
    },
  );

  it("merges transit histograms rather than averaging percentiles", () => {
    const [row] = run("performance", [...xj, ...partsOf("performance", kz).map(cellOfPart)]).rows;
    const [mine] = run("performance", xj).rows;
    const [theirs] = run("performance", kz).rows;
    expect(row?.delivered).toBe(12);
    expect(row?.transitHoursP50).toBe(run("performance", [...xj, ...kz]).rows[0]?.transitHoursP50);
    expect(row?.transitHoursP50).not.toBe(
      (Number(mine?.transitHoursP50) + Number(theirs?.transitHoursP50)) / 2,
    );
  });

  it("sends a suppressed row as a count only, and counts it in the combined row", () => {
    const parts = partsOf("performance", [...kz, lonely]);
    const held = parts.find((p) => p.key.corridor === "middle-corridor");
    expect(held).toEqual({
      table: "report_cells",
      key: { period: "2030-01-01", corridor: "middle-corridor", mode: "road" },
      suppressed: 1,
    });
    const rows = run("performance", [...xj, ...parts.map(cellOfPart)]).rows;
    expect(rows.find((r) => r.corridor === "middle-corridor")).toMatchObject({ suppressed: true });
  });

  it("carries no party of a cell", () => {
    const text = JSON.stringify(partsOf("flows", [...xj, ...kz]));
    expect(text).not.toMatch(/xjs|xjc|kzs|kzc|shippers|carriers|hs_chapter/);
  });
});
