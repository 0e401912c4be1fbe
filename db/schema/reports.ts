import { getTableColumns } from "drizzle-orm";
import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
} from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { tsz } from "./columns";

/**
 * Reports read rollup cells, never the waybills: a write marks its waybill dirty in its own
 * transaction, and the `reports.refresh` job recomputes the waybill's facts and the cells they
 * fall in (old and new keys), then clears the mark, in one transaction.
 */
export const reportDirty = pgTable("report_dirty", {
  number: text().primaryKey(),
  markedAt: tsz("marked_at").notNull().defaultNow(),
});

/** One row per waybill this node issued (replicas are answered for by their home node). */
export const reportFacts = pgTable(
  "report_facts",
  {
    number: text().primaryKey(),
    /** Only counted, to decide suppression; never part of any answer. */
    shipperId: text().notNull(),
    carrierId: text().notNull(),
    /** Pickup day (UTC), else the day the waybill was issued. */
    day: date({ mode: "string" }).notNull(),
    /** Prefecture code (GB/T 2260, `650100`) in China, the country code elsewhere. */
    oArea: text().notNull(),
    dArea: text().notNull(),
    /** The mode with the most tonne-km. */
    mode: text().notNull(),
    hsChapter: text().notNull(),
    /** A corridor id of `corridors.json`, or `none`. */
    corridor: text().notNull(),
    tonnes: doublePrecision().notNull(),
    distanceKm: doublePrecision().notNull(),
    tonneKm: doublePrecision().notNull(),
    /** The freight price in CNY; null when its currency has no rate in the fixed table. */
    valueCny: doublePrecision(),
    co2eKg: doublePrecision().notNull(),
    status: text().notNull(),
    deliveredAt: tsz("delivered_at"),
    plannedAt: tsz("planned_at"),
    onTime: boolean(),
    transitHours: doublePrecision(),
    borderDwellHours: doublePrecision().notNull(),
    exceptions: integer().notNull(),
  },
  (t) => [
    index("report_facts_cell_idx").on(t.oArea, t.dArea, t.mode, t.hsChapter, t.corridor, t.day),
  ],
);

/** A waybill's tonne-km on each network link it used, for the per-link cells. */
export const reportFactLinks = pgTable(
  "report_fact_links",
  {
    number: text().notNull(),
    linkId: text().notNull(),
    mode: text().notNull(),
    corridor: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    shipperId: text().notNull(),
    carrierId: text().notNull(),
    tonnes: doublePrecision().notNull(),
    tonneKm: doublePrecision().notNull(),
    /** The waybill's price shared out by tonne-km. */
    valueCny: doublePrecision(),
    co2eKg: doublePrecision().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.number, t.linkId, t.mode] }),
    index("report_fact_links_cell_idx").on(t.linkId, t.mode, t.corridor, t.day),
  ],
);

/** A border crossing as the waybill's events tell it: `at_border` to the next `cleared`. */
export const reportCrossings = pgTable(
  "report_crossings",
  {
    number: text().notNull(),
    seq: integer().notNull(),
    /** The border hub (`CN-AKS`). */
    port: text().notNull(),
    mode: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    shipperId: text().notNull(),
    carrierId: text().notNull(),
    atBorderAt: tsz("at_border_at").notNull(),
    clearedAt: tsz("cleared_at"),
    dwellHours: doublePrecision(),
    gaugeChange: boolean().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.number, t.seq] }),
    index("report_crossings_cell_idx").on(t.port, t.mode, t.day),
  ],
);

const cellSums = {
  waybills: integer().notNull(),
  tonnes: doublePrecision().notNull(),
  tonneKm: doublePrecision().notNull(),
  valueCny: doublePrecision().notNull(),
  /** Tonne-km of the waybills whose price is known: the denominator of a rate. */
  pricedTonneKm: doublePrecision().notNull(),
  co2eKg: doublePrecision().notNull(),
  /** Up to 16 distinct ids, sorted: enough to decide k ≤ 16. Never part of an answer. */
  shippers: text().array().notNull(),
  carriers: text().array().notNull(),
  /** The lesser of the two counts (≤ 16): a cell is published when it is at least k. */
  parties: smallint().notNull().default(0),
};

/** Flows at prefecture level; province and country roll up at query time. */
export const reportCells = pgTable(
  "report_cells",
  {
    grain: text().notNull(),
    period: date({ mode: "string" }).notNull(),
    oArea: text().notNull(),
    dArea: text().notNull(),
    mode: text().notNull(),
    hsChapter: text().notNull(),
    corridor: text().notNull(),
    ...cellSums,
    delivered: integer().notNull(),
    onTime: integer().notNull(),
    exceptions: integer().notNull(),
    /** Delivered waybills per transit-hours bucket (core/reports/histogram.ts). */
    transitHist: integer().array().notNull(),
    deliveredKm: doublePrecision().notNull(),
    deliveredHours: doublePrecision().notNull(),
    deliveredDwellHours: doublePrecision().notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.grain, t.period, t.oArea, t.dArea, t.mode, t.hsChapter, t.corridor],
    }),
  ],
);

export const reportLinkCells = pgTable(
  "report_link_cells",
  {
    grain: text().notNull(),
    period: date({ mode: "string" }).notNull(),
    linkId: text().notNull(),
    mode: text().notNull(),
    corridor: text().notNull(),
    ...cellSums,
  },
  (t) => [primaryKey({ columns: [t.grain, t.period, t.linkId, t.mode, t.corridor] })],
);

export const reportPortCells = pgTable(
  "report_port_cells",
  {
    grain: text().notNull(),
    period: date({ mode: "string" }).notNull(),
    port: text().notNull(),
    mode: text().notNull(),
    crossings: integer().notNull(),
    cleared: integer().notNull(),
    gaugeTransshipments: integer().notNull(),
    dwellHours: doublePrecision().notNull(),
    /** Cleared crossings per dwell-hours bucket (core/reports/histogram.ts). */
    dwellHist: integer().array().notNull(),
    shippers: text().array().notNull(),
    carriers: text().array().notNull(),
    parties: smallint().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.grain, t.period, t.port, t.mode] })],
);

/**
 * The k the cells were last built with: month, link and port cells keep only what published
 * day flow cells hold at that k, so a node started with another k rebuilds them first.
 */
export const reportSettings = pgTable("report_settings", {
  id: boolean().primaryKey().default(true),
  minParties: integer("min_parties").notNull(),
  builtAt: tsz("built_at").notNull().defaultNow(),
});

/** Lower edges (hours) of the transit-time histogram's buckets; the last is open-ended. */
export const TRANSIT_EDGES = [0, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720] as const;
/** Lower edges (hours) of the border-dwell histogram's buckets; the last is open-ended. */
export const DWELL_EDGES = [0, 1, 2, 4, 6, 8, 12, 18, 24, 36, 48, 72, 120, 240] as const;

type Row<T extends { $inferSelect: object }> = T["$inferSelect"];
const internal = <T extends object>(row: Record<keyof T, unknown>): FieldClassification<T> =>
  Object.fromEntries(Object.keys(row).map((k) => [k, "internal"])) as FieldClassification<T>;

export const reportDirtyClasses: FieldClassification<Row<typeof reportDirty>> = {
  number: "public",
  markedAt: "internal",
};

export const reportSettingsClasses = internal<Row<typeof reportSettings>>(
  getTableColumns(reportSettings),
);

/** Facts are one waybill each: its price is as secret as the waybill's own. */
export const reportFactClasses: FieldClassification<Row<typeof reportFacts>> = {
  ...internal<Row<typeof reportFacts>>(getTableColumns(reportFacts)),
  valueCny: "sensitive",
};

export const reportFactLinkClasses: FieldClassification<Row<typeof reportFactLinks>> = {
  ...internal<Row<typeof reportFactLinks>>(getTableColumns(reportFactLinks)),
  valueCny: "sensitive",
};

export const reportCrossingClasses = internal<Row<typeof reportCrossings>>(
  getTableColumns(reportCrossings),
);

/** Cells are what regulators read (published ones only): internal, like the cargo they sum. */
export const reportCellClasses = internal<Row<typeof reportCells>>(getTableColumns(reportCells));
export const reportLinkCellClasses = internal<Row<typeof reportLinkCells>>(
  getTableColumns(reportLinkCells),
);
export const reportPortCellClasses = internal<Row<typeof reportPortCells>>(
  getTableColumns(reportPortCells),
);
