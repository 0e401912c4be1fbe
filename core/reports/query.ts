import {
  type CellFilters,
  type CellTableName,
  reportFreshness,
  selectReportCells,
} from "../../db/queries/reports";
import { DWELL_EDGES, TRANSIT_EDGES } from "../../db/schema/reports";
import type { Ctx } from "../context";
import { ForbiddenError, ValidationError } from "../errors";
import { REPORT_COLUMNS, type ReportName } from "./columns";
import { areaAt, type Lang, type Level, type ReportGeography } from "./geography";
import { mergeHistograms, quantile } from "./histogram";
import { reportGeography, reportReadDb, reportSetup } from "./setup";

export { REPORT_NAMES, type ReportName } from "./columns";

export interface ReportParams {
  from: string;
  to: string;
  granularity: "day" | "week" | "month";
  level: Level;
  mode?: string;
  hsChapter?: string;
  corridor?: string;
  origin?: string;
  destination?: string;
}

export type Row = Record<string, string | number | boolean | null>;

export interface ReportResult {
  report: ReportName;
  params: ReportParams;
  k: number;
  generatedAt: string;
  freshness: { dirty: number; oldestDirtySeconds: number };
  rows: Row[];
  totals: Row;
}

/** A stored cell, as selected (snake_case). */
export type Cell = Record<string, unknown>;

const num = (c: Cell, col: string) => Number(c[col] ?? 0);
const text = (c: Cell, col: string) => String(c[col] ?? "");
const arr = (c: Cell, col: string) => (c[col] as unknown[] | null) ?? [];

function periodOf(c: Cell): string {
  const p = c.period;
  return p instanceof Date ? p.toISOString().slice(0, 10) : String(p);
}

/** The start of the bucket a day falls in: the day, its ISO week's Monday, or its month. */
function bucketOf(day: string, granularity: ReportParams["granularity"]): string {
  if (granularity === "day") return day;
  if (granularity === "month") return `${day.slice(0, 7)}-01`;
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/** Whether an area code (any level) contains the cell's area. */
function within(cellArea: string, filter: string | undefined): boolean {
  if (!filter) return true;
  if (/^[A-Z]{2}$/.test(filter)) return areaAt(cellArea, "country") === filter;
  if (/^\d{2}0000$/.test(filter)) return areaAt(cellArea, "province") === filter;
  return cellArea === filter;
}

/**
 * Published: at least k distinct shippers and k distinct carriers (decided in the query, which
 * keeps the ids). A partner's part was published or not by the partner, at its own k.
 */
function published(c: Cell): boolean {
  if ("part_published" in c) return c.part_published === true;
  return c.published === true;
}

/**
 * How many cells a cell stands for among those left out: a partner's part counts its own, and
 * a row of the cell query the cells it sums (`cells`).
 */
function heldBack(c: Cell, shown: boolean): number {
  if ("part_suppressed" in c) return num(c, "part_suppressed");
  if (shown) return 0;
  return "cells" in c ? num(c, "cells") : 1;
}

export interface ReportInput {
  cells: Cell[];
  params: ReportParams;
  geo: ReportGeography;
  lang: Lang;
  k: number;
  /** When set, each group of rows is also handed here as a part (a partner is asking). */
  parts?: (group: { key: Row; shown: Cell[]; suppressed: number }) => void;
}

/** Groups cells by a key; each group knows its published cells and how many were held back. */
export function groupCells(
  input: ReportInput,
  cells: readonly Cell[],
  keyOf: (c: Cell) => Row,
): { key: Row; shown: Cell[]; suppressed: number }[] {
  const groups = new Map<string, { key: Row; shown: Cell[]; suppressed: number }>();
  for (const c of cells) {
    const key = { period: bucketOf(periodOf(c), input.params.granularity), ...keyOf(c) };
    const id = JSON.stringify(key);
    const g = groups.get(id) ?? { key, shown: [] as Cell[], suppressed: 0 };
    const shown = published(c);
    if (shown) g.shown.push(c);
    g.suppressed += heldBack(c, shown);
    groups.set(id, g);
  }
  const sorted = [...groups.values()].sort((a, b) =>
    JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)),
  );
  if (input.parts) sorted.forEach(input.parts);
  return sorted;
}

/**
 * Rows from groups: a group with a published cell shows figures summed over its published
 * cells only, and how many cells it left out; a group with none is only marked suppressed.
 */
export function rowsOf(
  groups: ReturnType<typeof groupCells>,
  figures: (cells: Cell[], key: Row) => Row,
): Row[] {
  return groups.map((g) =>
    g.shown.length === 0
      ? { ...g.key, suppressed: true }
      : { ...g.key, ...figures(g.shown, g.key), suppressed: g.suppressed },
  );
}

export const sum = (cells: readonly Cell[], col: string) =>
  cells.reduce((s, c) => s + num(c, col), 0);
export const ratio = (a: number, b: number, scale = 1) => (b > 0 ? round((a / b) * scale) : null);
export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function hist(cells: readonly Cell[], col: string): number[] {
  return cells.reduce<number[]>((h, c) => mergeHistograms(h, arr(c, col) as number[]), []);
}

export function transitQuantiles(cells: readonly Cell[]): Row {
  const h = hist(cells, "transit_hist");
  const p = (q: number) => {
    const v = quantile(h, TRANSIT_EDGES, q);
    return v === null ? null : round(v, 1);
  };
  return { transitHoursP50: p(0.5), transitHoursP90: p(0.9) };
}

export function dwellQuantiles(cells: readonly Cell[]): Row {
  const h = hist(cells, "dwell_hist");
  const p = (q: number) => {
    const v = quantile(h, DWELL_EDGES, q);
    return v === null ? null : round(v, 1);
  };
  return { dwellHoursP50: p(0.5), dwellHoursP90: p(0.9) };
}

/**
 * The key columns each report's rows group the cells of each table by (with the period): the
 * cell query sums the rest away. Areas are kept at prefecture level and rolled up here.
 */
const KEEP: Record<ReportName, Partial<Record<CellTableName, readonly string[]>>> = {
  flows: { report_cells: ["o_area", "d_area"] },
  corridors: { report_link_cells: ["link_id", "mode"], report_cells: ["corridor"] },
  "modal-split": { report_cells: ["mode"] },
  "border-ports": { report_port_cells: ["port", "mode"] },
  performance: { report_cells: ["corridor", "mode"] },
  prices: { report_cells: ["corridor", "mode"] },
  emissions: { report_cells: ["corridor", "mode"] },
  carec: {
    report_port_cells: ["port", "mode"],
    report_link_cells: ["link_id", "mode"],
    report_cells: ["corridor", "mode"],
  },
};

/** A report's key columns for a table, and the areas when it is filtered by them. */
function keepOf(name: ReportName, table: CellTableName, params: ReportParams): string[] {
  const keep = [...(KEEP[name][table] ?? [])];
  if (table === "report_cells" && (params.origin || params.destination)) {
    for (const area of ["o_area", "d_area"]) if (!keep.includes(area)) keep.push(area);
  }
  return keep;
}

/** The cell table a report reads, and the filters it passes down. */
const TABLES: Record<ReportName, CellTableName[]> = {
  flows: ["report_cells"],
  corridors: ["report_link_cells", "report_cells"],
  "modal-split": ["report_cells"],
  "border-ports": ["report_port_cells"],
  performance: ["report_cells"],
  prices: ["report_cells"],
  emissions: ["report_cells"],
  carec: ["report_port_cells", "report_link_cells", "report_cells"],
};

/**
 * Filters the link and port cells cannot apply: they are kept by link or port, mode and
 * (links) corridor only, so such a filter would be silently ignored on their rows while the
 * answer's parameters said otherwise. Refused instead, naming the filter.
 */
const UNFILTERED: Record<
  Exclude<CellTableName, "report_cells">,
  readonly (keyof ReportParams)[]
> = {
  report_link_cells: ["hsChapter", "origin", "destination"],
  report_port_cells: ["hsChapter", "origin", "destination", "corridor"],
};

function refuseUnsupportedFilters(name: ReportName, params: ReportParams): void {
  for (const table of TABLES[name]) {
    if (table === "report_cells") continue;
    const field = UNFILTERED[table].find((f) => params[f] !== undefined);
    if (field) {
      throw ValidationError.field(
        field,
        `cannot filter the ${name} report: its ${table === "report_link_cells" ? "link" : "border-port"} figures are not kept by ${field}`,
      );
    }
  }
}

export type ReportBuilder = (
  input: ReportInput,
  byTable: Record<string, Cell[]>,
) => {
  rows: Row[];
  totals: Row;
};

/** Regulators and admins only. */
export function requireReportReader(ctx: Ctx): void {
  const kind = ctx.actor.kind;
  if (kind !== "regulator" && kind !== "admin" && kind !== "system") {
    throw new ForbiddenError("reports are for regulators and admins");
  }
}

async function loadCells(
  ctx: Ctx,
  name: ReportName,
  params: ReportParams,
): Promise<Record<string, Cell[]>> {
  const grain = params.granularity === "month" ? "month" : "day";
  const from = grain === "month" ? `${params.from.slice(0, 7)}-01` : params.from;
  const filters: CellFilters = {
    mode: params.mode,
    hsChapter: params.hsChapter,
    corridor: params.corridor,
  };
  const next = new Date(`${params.to}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  const to = next.toISOString().slice(0, 10);
  const tables = TABLES[name];
  const loaded = await Promise.all(
    tables.map((t) =>
      selectReportCells(reportReadDb(ctx), t, {
        grain,
        from,
        to,
        k: reportSetup(ctx).minParties,
        keep: keepOf(name, t, params),
        values: REPORT_COLUMNS[name],
        filters,
      }),
    ),
  );
  const byTable: Record<string, Cell[]> = {};
  tables.forEach((t, i) => {
    byTable[t] = (loaded[i] ?? []).filter(
      (c) =>
        t !== "report_cells" ||
        (within(text(c, "o_area"), params.origin) && within(text(c, "d_area"), params.destination)),
    );
  });
  return byTable;
}

export interface ReportRequest {
  name: ReportName;
  params: ReportParams;
  lang: Lang;
}

/** This node's cells for a report, by table, and how far its rollups are behind. */
export interface LoadedCells {
  byTable: Record<string, Cell[]>;
  freshness: ReportResult["freshness"];
}

export async function loadReportCells(ctx: Ctx, input: ReportRequest): Promise<LoadedCells> {
  refuseUnsupportedFilters(input.name, input.params);
  const [byTable, freshness] = await Promise.all([
    loadCells(ctx, input.name, input.params),
    reportFreshness(reportReadDb(ctx)),
  ]);
  return {
    byTable,
    freshness: {
      dirty: freshness.dirty,
      oldestDirtySeconds: round(freshness.oldestDirtySeconds, 1),
    },
  };
}

/** The report built from loaded cells (a partner's parts among them, if any). */
export function assembleReport(
  ctx: Ctx,
  input: ReportRequest,
  builders: Record<ReportName, ReportBuilder>,
  loaded: LoadedCells,
  parts?: ReportInput["parts"],
): ReportResult {
  const { minParties: k } = reportSetup(ctx);
  const { byTable } = loaded;
  const built = builders[input.name](
    {
      cells: byTable[TABLES[input.name][0] ?? ""] ?? [],
      params: input.params,
      geo: reportGeography(ctx),
      lang: input.lang,
      k,
      parts,
    },
    byTable,
  );
  return {
    report: input.name,
    params: input.params,
    k,
    generatedAt: ctx.clock.now().toISOString(),
    freshness: loaded.freshness,
    ...built,
  };
}

/** `GET /v1/reports/{name}`: figures over published cells only (see README, de-identification). */
export async function runReport(
  ctx: Ctx,
  input: ReportRequest,
  builders: Record<ReportName, ReportBuilder>,
): Promise<ReportResult> {
  requireReportReader(ctx);
  return assembleReport(ctx, input, builders, await loadReportCells(ctx, input));
}
