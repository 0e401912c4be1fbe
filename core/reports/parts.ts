import type { CellTableName } from "../../db/queries/reports";
import { REPORT_COLUMNS } from "./columns";
import type { Cell, ReportName, Row } from "./query";

/**
 * What one row of a report is made of at one node: the sums of its published cells (the
 * columns below, and the histograms merged) and how many cells it left out. Partners exchange
 * parts rather than rows: a rate or a percentile of two nodes is recomputed from their summed
 * parts by the same report code, where summing the rates or percentiles would be wrong.
 */
export interface ReportPart {
  table: CellTableName;
  /** The row's key as cell columns: period bucket, areas at the report's level, mode, … */
  key: Record<string, string>;
  /** Absent when every cell of the row was suppressed at the node. */
  sums?: Record<string, number>;
  hists?: Record<string, number[]>;
  suppressed: number;
}

/** The additive columns of each cell table: all a part carries, and nothing else. */
export const PART_SUMS: Record<CellTableName, readonly string[]> = {
  report_cells: [
    "waybills",
    "tonnes",
    "tonne_km",
    "value_cny",
    "priced_tonne_km",
    "co2e_kg",
    "delivered",
    "on_time",
    "exceptions",
    "delivered_km",
    "delivered_hours",
    "delivered_dwell_hours",
  ],
  report_link_cells: ["waybills", "tonnes", "tonne_km", "value_cny", "priced_tonne_km", "co2e_kg"],
  report_port_cells: ["crossings", "cleared", "gauge_transshipments", "dwell_hours"],
};

export const PART_HISTS: Record<CellTableName, readonly string[]> = {
  report_cells: ["transit_hist"],
  report_link_cells: [],
  report_port_cells: ["dwell_hist"],
};

/** Row key fields and the cell columns they stand for; labels and constants are not keys. */
const KEY_COLUMNS: Record<string, string> = {
  period: "period",
  origin: "o_area",
  destination: "d_area",
  mode: "mode",
  corridor: "corridor",
  link: "link_id",
  port: "port",
};

/** The cell columns a part's key may name. */
export const PART_KEY_COLUMNS: readonly string[] = Object.values(KEY_COLUMNS);

function tableOf(key: Row): CellTableName {
  if (key.port !== undefined) return "report_port_cells";
  if (key.link !== undefined) return "report_link_cells";
  return "report_cells";
}

/** The part one group of a report stands for at this node, with the report's columns only. */
export function partOf(
  report: ReportName,
  group: { key: Row; shown: readonly Cell[]; suppressed: number },
): ReportPart {
  const table = tableOf(group.key);
  const wanted = (col: string) => REPORT_COLUMNS[report].includes(col);
  const key: Record<string, string> = {};
  for (const [field, column] of Object.entries(KEY_COLUMNS)) {
    const value = group.key[field];
    if (value !== undefined && value !== null) key[column] = String(value);
  }
  if (group.shown.length === 0) return { table, key, suppressed: group.suppressed };
  const sums: Record<string, number> = {};
  for (const col of PART_SUMS[table].filter(wanted)) {
    sums[col] = group.shown.reduce((s, c) => s + Number(c[col] ?? 0), 0);
  }
  const hists: Record<string, number[]> = {};
  for (const col of PART_HISTS[table].filter(wanted)) {
    hists[col] = group.shown.reduce<number[]>((h, c) => {
      ((c[col] as number[] | null) ?? []).forEach((n, i) => {
        h[i] = (h[i] ?? 0) + n;
      });
      return h;
    }, []);
  }
  return { table, key, sums, hists, suppressed: group.suppressed };
}

/**
 * A partner's part as a cell the report code reads beside this node's own: published by the
 * partner's own decision (its shippers and carriers never leave it), carrying how many cells it
 * left out there.
 */
export function cellOfPart(part: ReportPart): Cell {
  return {
    ...part.key,
    ...part.sums,
    ...part.hists,
    part_published: part.sums !== undefined,
    part_suppressed: part.suppressed,
  };
}
