import { type Db, type Sql, sqlOf } from "../client";
import type { Waybill, WaybillEvent, WaybillLeg } from "../schema";
import { DWELL_EDGES, TRANSIT_EDGES } from "../schema/reports";
import { copyLine, copyText } from "./copy";

/**
 * The one way into the report tables: `report_dirty`, the facts (`report_facts`,
 * `report_fact_links`, `report_crossings`) and the rollup cells (`report_cells`,
 * `report_link_cells`, `report_port_cells`). Cells are only ever recomputed from facts, key by
 * key, so a refresh is exact and running it twice changes nothing.
 */

// Upserts rather than `do nothing`: a refresh holding the row would otherwise delete it after
// a write it did not read had been swallowed by the conflict; waiting for the refresh's commit
// keeps the mark (the row is gone by then, so it is inserted again).
const MARK_DIRTY = `insert into report_dirty (number) select unnest($1::text[])
  on conflict (number) do update set marked_at = excluded.marked_at`;

/** Namespace of the advisory lock that lets one refresh or rebuild of the rollups run at a time. */
const REPORTS_LOCK = 0x52505453;

/**
 * Takes the rollups' lock for the transaction, or answers false when another refresh holds
 * it. Two refreshes may claim different waybills that share a cell, and each would rewrite it.
 */
export async function tryLockReportRollups(db: Db): Promise<boolean> {
  const [row] = await sqlOf(db)<{ locked: boolean }[]>`
    select pg_try_advisory_xact_lock(${REPORTS_LOCK}) as locked`;
  return row?.locked === true;
}

/** Waits for the rollups' lock, held to the end of the transaction (a full rebuild). */
export async function lockReportRollups(db: Db): Promise<void> {
  await sqlOf(db)`select pg_advisory_xact_lock(${REPORTS_LOCK})`;
}

/** Marks waybills for the report refresh, in the caller's transaction (like the outbox). */
export async function markReportDirty(db: Db, numbers: readonly string[]): Promise<void> {
  if (numbers.length === 0) return;
  await sqlOf(db).unsafe(MARK_DIRTY, [numbers as string[]], { prepare: true });
}

/** Up to `limit` dirty waybills, locked for this transaction; others' locked ones are skipped. */
export async function claimReportDirty(db: Db, limit: number): Promise<string[]> {
  const rows = await sqlOf(db).unsafe(
    `select number from report_dirty order by marked_at limit $1 for update skip locked`,
    [limit],
    { prepare: true },
  );
  return rows.map((r) => String(r.number));
}

/** How far reports are behind the writes: marks waiting and the age of the oldest. */
export async function reportFreshness(
  db: Db,
): Promise<{ dirty: number; oldestDirtySeconds: number }> {
  const [row] = await sqlOf(db).unsafe(
    `select count(*)::int as dirty,
       coalesce(extract(epoch from now() - min(marked_at)), 0)::float8 as oldest
     from report_dirty`,
    [],
    { prepare: true },
  );
  return { dirty: Number(row?.dirty ?? 0), oldestDirtySeconds: Number(row?.oldest ?? 0) };
}

export interface CellKeys {
  /** Flow cells: grain, period, o_area, d_area, mode, hs_chapter, corridor. */
  flows: string[][];
  /** Link cells: grain, period, link_id, mode, corridor. */
  links: string[][];
  /** Port cells: grain, period, port, mode. */
  ports: string[][];
}

/** The cell keys the facts of these waybills fall in now (before they are replaced). */
export async function selectFactKeys(db: Db, numbers: readonly string[]) {
  const s = sqlOf(db);
  const n = [numbers as string[]];
  const [flows, links, ports] = await Promise.all([
    s.unsafe(
      `select day::text, o_area, d_area, mode, hs_chapter, corridor from report_facts where number = any($1)`,
      n,
      { prepare: true },
    ),
    s.unsafe(
      `select day::text, link_id, mode, corridor from report_fact_links where number = any($1)`,
      n,
      { prepare: true },
    ),
    s.unsafe(`select day::text, port, mode from report_crossings where number = any($1)`, n, {
      prepare: true,
    }),
  ]);
  return {
    flows: flows.map(
      (r) => [r.day, r.o_area, r.d_area, r.mode, r.hs_chapter, r.corridor] as string[],
    ),
    links: links.map((r) => [r.day, r.link_id, r.mode, r.corridor] as string[]),
    ports: ports.map((r) => [r.day, r.port, r.mode] as string[]),
  };
}

const MATES = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
    as k(day, o_area, d_area, mode, hs_chapter, corridor)
  join report_facts f on f.day = k.day::date and f.o_area = k.o_area and f.d_area = k.d_area
    and f.mode = k.mode and f.hs_chapter = k.hs_chapter and f.corridor = k.corridor`;

/**
 * The link and port cell keys of every waybill in these day flow cells: whether a flow cell is
 * published decides whether its waybills count on links and at ports, so a change to its
 * members changes their link and port cells too.
 */
export async function selectCellMateKeys(
  db: Db,
  flowDays: readonly string[][],
): Promise<{ links: string[][]; ports: string[][] }> {
  if (flowDays.length === 0) return { links: [], ports: [] };
  const s = sqlOf(db);
  const params = transpose(flowDays, 6);
  const [links, ports] = await Promise.all([
    s.unsafe(
      `select distinct l.day::text, l.link_id, l.mode, l.corridor from ${MATES}
       join report_fact_links l on l.number = f.number`,
      params,
      { prepare: true },
    ),
    s.unsafe(
      `select distinct c.day::text, c.port, c.mode from ${MATES}
       join report_crossings c on c.number = f.number`,
      params,
      { prepare: true },
    ),
  ]);
  return {
    links: links.map((r) => [r.day, r.link_id, r.mode, r.corridor] as string[]),
    ports: ports.map((r) => [r.day, r.port, r.mode] as string[]),
  };
}

type Column = readonly [name: string, type: string];

const FACT_COLUMNS: readonly Column[] = [
  ["number", "text"],
  ["shipper_id", "text"],
  ["carrier_id", "text"],
  ["day", "date"],
  ["o_area", "text"],
  ["d_area", "text"],
  ["mode", "text"],
  ["hs_chapter", "text"],
  ["corridor", "text"],
  ["tonnes", "float8"],
  ["distance_km", "float8"],
  ["tonne_km", "float8"],
  ["value_cny", "float8"],
  ["co2e_kg", "float8"],
  ["status", "text"],
  ["delivered_at", "timestamptz"],
  ["planned_at", "timestamptz"],
  ["on_time", "boolean"],
  ["transit_hours", "float8"],
  ["border_dwell_hours", "float8"],
  ["exceptions", "int"],
];

const LINK_COLUMNS: readonly Column[] = [
  ["number", "text"],
  ["link_id", "text"],
  ["mode", "text"],
  ["corridor", "text"],
  ["day", "date"],
  ["shipper_id", "text"],
  ["carrier_id", "text"],
  ["tonnes", "float8"],
  ["tonne_km", "float8"],
  ["value_cny", "float8"],
  ["co2e_kg", "float8"],
];

const CROSSING_COLUMNS: readonly Column[] = [
  ["number", "text"],
  ["seq", "int"],
  ["port", "text"],
  ["mode", "text"],
  ["day", "date"],
  ["shipper_id", "text"],
  ["carrier_id", "text"],
  ["at_border_at", "timestamptz"],
  ["cleared_at", "timestamptz"],
  ["dwell_hours", "float8"],
  ["gauge_change", "boolean"],
];

/** One statement inserting any number of rows given as one JSON array of snake_case objects. */
function insertFromJson(table: string, columns: readonly Column[]): string {
  const names = columns.map(([n]) => n).join(", ");
  const types = columns.map(([n, t]) => `${n} ${t}`).join(", ");
  return `insert into ${table} (${names}) select ${names} from jsonb_to_recordset($1::jsonb) as r(${types})`;
}

/** `array[count of values in bucket 0, …]` over the lower edges given. */
function histogram(value: string, edges: readonly number[]): string {
  const buckets = edges.map((lo, i) => {
    const hi = edges[i + 1];
    const upper = hi === undefined ? "" : ` and ${value} < ${hi}`;
    return `count(*) filter (where ${value} >= ${lo}${upper})::int`;
  });
  return `array[${buckets.join(", ")}]`;
}

const PARTIES = `(array_agg(distinct f.shipper_id order by f.shipper_id))[1:16],
  (array_agg(distinct f.carrier_id order by f.carrier_id))[1:16],
  least(count(distinct f.shipper_id), count(distinct f.carrier_id), 16)::smallint`;

interface CellTable {
  table: string;
  keys: readonly Column[];
  source: string;
  /** Key columns matched to the facts (the period apart). */
  match: readonly string[];
  values: string;
  /** The columns `values` fills, in order, and how a month sums its day cells' (`monthFromDays`). */
  columns: readonly (readonly [name: string, rollup: Rollup])[];
  /** Link and port facts count only when their waybill's day flow cell is published. */
  viaFlowCell?: boolean;
}

const SUMS = `count(*)::int, sum(f.tonnes), sum(f.tonne_km), coalesce(sum(f.value_cny), 0),
  coalesce(sum(f.tonne_km) filter (where f.value_cny is not null), 0), sum(f.co2e_kg), ${PARTIES}`;
/** How a month cell combines its day cells' column: a sum, a union of ids, a histogram. */
type Rollup = "sum" | "count" | "parties" | "hist" | "least";

const SUM_COLUMNS = [
  ["waybills", "count"],
  ["tonnes", "sum"],
  ["tonne_km", "sum"],
  ["value_cny", "sum"],
  ["priced_tonne_km", "sum"],
  ["co2e_kg", "sum"],
  ["shippers", "parties"],
  ["carriers", "parties"],
  ["parties", "least"],
] as const;

const valueColumns = (t: CellTable) => t.columns.map(([n]) => n).join(", ");

const CELL_TABLES: readonly CellTable[] = [
  {
    table: "report_cells",
    keys: [
      ["o_area", "text"],
      ["d_area", "text"],
      ["mode", "text"],
      ["hs_chapter", "text"],
      ["corridor", "text"],
    ],
    source: "report_facts",
    match: ["o_area", "d_area", "mode", "hs_chapter", "corridor"],
    values: `${SUMS}, count(f.delivered_at)::int, count(*) filter (where f.on_time)::int,
      sum(f.exceptions)::int, ${histogram("f.transit_hours", TRANSIT_EDGES)},
      coalesce(sum(f.distance_km) filter (where f.delivered_at is not null), 0),
      coalesce(sum(f.transit_hours), 0),
      coalesce(sum(f.border_dwell_hours) filter (where f.delivered_at is not null), 0)`,
    columns: [
      ...SUM_COLUMNS,
      ["delivered", "count"],
      ["on_time", "count"],
      ["exceptions", "count"],
      ["transit_hist", "hist"],
      ["delivered_km", "sum"],
      ["delivered_hours", "sum"],
      ["delivered_dwell_hours", "sum"],
    ],
  },
  {
    table: "report_link_cells",
    keys: [
      ["link_id", "text"],
      ["mode", "text"],
      ["corridor", "text"],
    ],
    source: "report_fact_links",
    match: ["link_id", "mode", "corridor"],
    values: SUMS,
    columns: SUM_COLUMNS,
    viaFlowCell: true,
  },
  {
    table: "report_port_cells",
    keys: [
      ["port", "text"],
      ["mode", "text"],
    ],
    source: "report_crossings",
    match: ["port", "mode"],
    values: `count(*)::int, count(f.cleared_at)::int, count(*) filter (where f.gauge_change)::int,
      coalesce(sum(f.dwell_hours), 0), ${histogram("f.dwell_hours", DWELL_EDGES)}, ${PARTIES}`,
    columns: [
      ["crossings", "count"],
      ["cleared", "count"],
      ["gauge_transshipments", "count"],
      ["dwell_hours", "sum"],
      ["dwell_hist", "hist"],
      ["shippers", "parties"],
      ["carriers", "parties"],
      ["parties", "least"],
    ],
    viaFlowCell: true,
  },
];

/** Published: k distinct shippers and k distinct carriers (`parties`, the lesser count, ≤ 16). */
const PUBLISHED = (d: string, k: string) => `${d}.parties >= ${k}`;

/**
 * Link and port facts count only for waybills whose day flow cell is published (`k` is the SQL
 * of the threshold): were a waybill hidden in its flow cell counted on a link or at a port, a
 * link's tonnes less its corridor's would give it away.
 */
function viaFlowCell(t: CellTable, k: string): string {
  if (!t.viaFlowCell) return "";
  return `join report_facts w on w.number = f.number join report_cells wc on wc.grain = 'day'
    and wc.period = w.day and wc.o_area = w.o_area and wc.d_area = w.d_area
    and wc.mode = w.mode and wc.hs_chapter = w.hs_chapter and wc.corridor = w.corridor
    and ${PUBLISHED("wc", k)}`;
}

/**
 * Every day cell of a table from all the facts, by the same rules as the keyed rebuild
 * (`cellStatements`): one `insert … select … group by` ($1 is the threshold k).
 */
function allDaysStatement(t: CellTable): string {
  const keys = t.keys.map(([n]) => `f.${n}`);
  return `insert into ${t.table} (grain, period, ${t.keys.map(([n]) => n).join(", ")}, ${valueColumns(t)})
    select 'day', f.day, ${keys.join(", ")}, ${t.values}
    from ${t.source} f ${viaFlowCell(t, "$1::int")}
    group by ${["f.day", ...keys].join(", ")}`;
}

/**
 * Month cells summed from their published day cells rather than from the facts: at most 31
 * rows a key instead of every fact of a busy link's month, and the same figures, as a month
 * cell takes only the facts of its published day cells. Ids are the union of the day cells'
 * (each keeps its 16 smallest, so the union's 16 smallest are the month's), histograms are
 * summed bucket by bucket. `from` joins the day cells (`d`) in; `month` is their month.
 */
function monthFromDays(t: CellTable, month: string, from: string): string {
  const columns = [...t.keys.map(([n]) => n), ...t.columns.map(([n]) => n)];
  const days = `select ${month} as period, ${columns.map((n) => `d.${n}`).join(", ")} ${from}`;
  const group = ["period", ...t.keys.map(([n]) => n)].join(", ");
  const sums = t.columns.filter(([, r]) => r === "sum" || r === "count");
  const others = t.columns.filter(([, r]) => r === "parties" || r === "hist");
  const agg = ([n, r]: readonly [string, Rollup]) =>
    r === "count" ? `sum(${n})::int as ${n}` : `sum(${n}) as ${n}`;
  const part = ([n, r]: readonly [string, Rollup]) =>
    r === "parties"
      ? `c_${n} as (select ${group}, (array_agg(distinct x order by x))[1:16] as ${n}
          from d, unnest(d.${n}) x group by ${group})`
      : `c_${n} as (select ${group}, array_agg(v order by i) as ${n} from (
          select ${group}, i, sum(x)::int as v from d, unnest(d.${n}) with ordinality u(x, i)
          group by ${group}, i) h group by ${group})`;
  return `with d as materialized (${days}),
    s as (select ${group}, ${sums.map(agg).join(", ")} from d group by ${group}),
    ${others.map(part).join(",\n    ")}
    insert into ${t.table} (grain, ${group}, ${valueColumns(t)})
    select 'month', ${group}, ${t.columns
      .map(([n, r]) =>
        r === "least" ? "least(cardinality(shippers), cardinality(carriers))::smallint" : n,
      )
      .join(", ")}
    from s ${others.map(([n]) => `join c_${n} using (${group})`).join(" ")}`;
}

/** Every month cell of a table from its published day cells ($1 is the threshold k). */
function allMonthsStatement(t: CellTable): string {
  return monthFromDays(
    t,
    "date_trunc('month', d.period)::date",
    `from ${t.table} d where d.grain = 'day' and ${PUBLISHED("d", "$1::int")}`,
  );
}

/**
 * Deletes a table's cells at the given keys, then inserts them again: a day cell from its
 * facts, a month cell from its published day cells (k distinct shippers and carriers, k the
 * last parameter; `monthFromDays`): were it summed over all its facts, a month answer less the
 * day answers of the same month would give away the day cells held back.
 */
function cellStatements(t: CellTable): {
  remove: string;
  rebuildDay: string;
  rebuildMonth: string;
} {
  // Keys travel as text arrays (postgres.js has no date[] serializer); `kv` casts the period.
  const keyCols = [["grain", "text"], ["period", "text"], ...t.keys] as const;
  const names = keyCols.map(([n]) => n);
  const unnest = `unnest(${keyCols.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")}) as k(${names.join(", ")})`;
  const kv = (n: string) => (n === "period" ? "k.period::date" : `k.${n}`);
  const sameKey = names.map((n) => `c.${n} = ${kv(n)}`).join(" and ");
  const match = t.match.map((n) => `f.${n} = k.${n}`).join(" and ");
  const k = `$${keyCols.length + 1}::int`;
  const days = `from ${unnest} join ${t.table} d on d.grain = 'day' and d.period >= k.period::date
    and d.period < (k.period::date + interval '1 month')::date
    and ${t.keys.map(([n]) => `d.${n} = k.${n}`).join(" and ")} and ${PUBLISHED("d", k)}`;
  return {
    remove: `delete from ${t.table} c using ${unnest} where ${sameKey}`,
    rebuildDay: `insert into ${t.table} (${names.join(", ")}, ${valueColumns(t)})
      select ${names.map(kv).join(", ")}, ${t.values}
      from ${unnest} join ${t.source} f on ${match} and f.day = k.period::date
        ${viaFlowCell(t, k)}
      group by ${names.map((n) => `k.${n}`).join(", ")}`,
    rebuildMonth: monthFromDays(t, "k.period::date", days),
  };
}

const STATEMENTS = {
  removeFacts: ["report_facts", "report_fact_links", "report_crossings"].map(
    (t) => `delete from ${t} where number = any($1)`,
  ),
  insertFacts: insertFromJson("report_facts", FACT_COLUMNS),
  insertLinks: insertFromJson("report_fact_links", LINK_COLUMNS),
  insertCrossings: insertFromJson("report_crossings", CROSSING_COLUMNS),
  cells: CELL_TABLES.map(cellStatements),
  clearDirty: `delete from report_dirty where number = any($1)`,
  // Day cells first: month cells and the link and port cells read the day flow cells.
  allCells: [...CELL_TABLES.map(allDaysStatement), ...CELL_TABLES.map(allMonthsStatement)],
};

/** Parallel arrays, one per key column, from key tuples. */
function transpose(keys: readonly string[][], width: number): string[][] {
  return Array.from({ length: width }, (_, i) => keys.map((k) => k[i] ?? ""));
}

export interface FactRows {
  facts: Record<string, unknown>[];
  links: Record<string, unknown>[];
  crossings: Record<string, unknown>[];
}

/**
 * Replaces the facts of `numbers`, recomputes every cell at `keys` (old and new) from the
 * facts, and clears the waybills' dirty marks: statements sent together, in order, in the
 * caller's transaction (one round trip).
 */
export async function replaceReportFacts(
  db: Db,
  numbers: readonly string[],
  rows: FactRows,
  keys: CellKeys,
  minParties: number,
): Promise<void> {
  const s = sqlOf(db);
  const n = [numbers as string[]];
  const json = (r: Record<string, unknown>[]) => [JSON.stringify(r)];
  const cellKeys = [keys.flows, keys.links, keys.ports];
  // Day cells first: the month cells' statements, sent after them, read what they wrote.
  const cellWork = (["day", "month"] as const).flatMap((grain) =>
    STATEMENTS.cells.flatMap((st, i) => {
      const k = (cellKeys[i] ?? []).filter((key) => key[0] === grain);
      if (k.length === 0) return [];
      const params = transpose(k, (CELL_TABLES[i]?.keys.length ?? 0) + 2);
      const dayParams = CELL_TABLES[i]?.viaFlowCell ? [...params, minParties] : params;
      return grain === "day"
        ? [
            s.unsafe(st.remove, params, { prepare: true }),
            s.unsafe(st.rebuildDay, dayParams as never[], { prepare: true }),
          ]
        : [
            s.unsafe(st.remove, params, { prepare: true }),
            s.unsafe(st.rebuildMonth, [...params, minParties] as never[], { prepare: true }),
          ];
    }),
  );
  await Promise.all([
    ...STATEMENTS.removeFacts.map((text) => s.unsafe(text, n, { prepare: true })),
    rows.facts.length
      ? s.unsafe(STATEMENTS.insertFacts, json(rows.facts), { prepare: true })
      : null,
    rows.links.length
      ? s.unsafe(STATEMENTS.insertLinks, json(rows.links), { prepare: true })
      : null,
    rows.crossings.length
      ? s.unsafe(STATEMENTS.insertCrossings, json(rows.crossings), { prepare: true })
      : null,
    ...cellWork,
    s.unsafe(STATEMENTS.clearDirty, n, { prepare: true }),
  ]);
}

/** Empties the facts before they are all written again (`copyReportFacts`). */
export async function truncateReportFacts(db: Db): Promise<void> {
  await sqlOf(db).unsafe(`truncate report_facts, report_fact_links, report_crossings`);
}

const copyRows = (columns: readonly Column[], rows: readonly Record<string, unknown>[]) =>
  rows.map((r) => copyLine(columns.map(([n]) => r[n]))).join("");

/** Appends facts by COPY (bulk rebuild): three statements, one per table, on the pool. */
export async function copyReportFacts(sql: Sql, rows: FactRows): Promise<void> {
  const names = (cols: readonly Column[]) => cols.map(([n]) => n);
  await Promise.all([
    copyText(sql, "report_facts", names(FACT_COLUMNS), copyRows(FACT_COLUMNS, rows.facts)),
    copyText(sql, "report_fact_links", names(LINK_COLUMNS), copyRows(LINK_COLUMNS, rows.links)),
    copyText(
      sql,
      "report_crossings",
      names(CROSSING_COLUMNS),
      copyRows(CROSSING_COLUMNS, rows.crossings),
    ),
  ]);
}

/**
 * Replaces every cell with one computed from all the facts, in the caller's transaction:
 * readers see the old cells until it commits. Dirty marks stay; refreshing them again is
 * harmless.
 */
export async function rebuildAllReportCells(db: Db, minParties: number): Promise<void> {
  const s = sqlOf(db);
  await s.unsafe(`truncate report_cells, report_link_cells, report_port_cells`);
  // The day flow cells' statement joins no other cells, so it takes no threshold.
  for (const text of STATEMENTS.allCells) {
    await s.unsafe(text, text.includes("$1") ? [minParties] : []);
  }
  await s`insert into report_settings (id, min_parties) values (true, ${minParties})
    on conflict (id) do update set min_parties = excluded.min_parties, built_at = now()`;
}

/**
 * Refreshes the planner's statistics of the facts and cells after a bulk rebuild: left to
 * autovacuum, the refresh's keyed statements were planned as over empty tables for minutes.
 * The cells are vacuumed too, so reports' index-only scans need not visit the rows.
 */
export async function analyzeReportTables(db: Db, which: "facts" | "cells"): Promise<void> {
  await sqlOf(db).unsafe(
    which === "facts"
      ? "analyze report_facts, report_fact_links, report_crossings"
      : "vacuum analyze report_cells, report_link_cells, report_port_cells",
  );
}

/**
 * The k the cells were built with; null when none is recorded, `empty` when no cell exists
 * (nothing to rebuild whatever k was).
 */
export async function selectReportThreshold(
  db: Db,
): Promise<{ minParties: number | null; empty: boolean }> {
  const [row] = await sqlOf(db)<{ k: number | null; empty: boolean }[]>`
    select (select min_parties from report_settings) as k,
      not exists (select 1 from report_cells) and not exists (select 1 from report_port_cells)
        as empty`;
  return { minParties: row?.k ?? null, empty: row?.empty ?? true };
}

/** Records k without rebuilding: the cells are empty, or already built with it. */
export async function saveReportThreshold(db: Db, minParties: number): Promise<void> {
  await sqlOf(db)`insert into report_settings (id, min_parties) values (true, ${minParties})
    on conflict (id) do update set min_parties = excluded.min_parties`;
}

/** What a waybill's facts are computed from (`waybillFacts`): the columns it reads. */
export type FactWaybill = Pick<
  Waybill,
  | "number"
  | "shipperId"
  | "carrierId"
  | "origin"
  | "destination"
  | "cargo"
  | "priceAmount"
  | "priceCurrency"
  | "points"
  | "status"
  | "homeNode"
  | "createdAt"
>;
export type FactLeg = Pick<WaybillLeg, "seq" | "mode" | "from" | "to" | "plannedArrival">;
export type FactEvent = Pick<WaybillEvent, "type" | "occurredAt" | "location">;

export interface FactSource {
  waybill: FactWaybill;
  legs: FactLeg[];
  events: FactEvent[];
}

// A waybill's legs and events come as one JSON text each: parsing one string natively is far
// cheaper than the driver decoding a row per leg and per event (five times the rows).
const FACT_SOURCE_PAGE = `select w.number, w.shipper_id, w.carrier_id, w.origin, w.destination,
    w.cargo, w.price_amount::float8 as price_amount, w.price_currency, w.points, w.status,
    w.home_node, w.created_at,
    (select json_agg(json_build_array(l.seq, l.mode, l."from", l."to", l.planned_arrival) order by l.seq)
      from waybill_legs l where l.waybill_number = w.number)::text as legs,
    (select json_agg(json_build_array(e.type, e.occurred_at, e.location) order by e.id)
      from waybill_events e where e.waybill_number = w.number)::text as events
  from waybills w where w.number > $1 order by w.number limit $2`;

type LegTuple = [number, FactLeg["mode"], FactLeg["from"], FactLeg["to"], string];
type EventTuple = [FactEvent["type"], string, FactEvent["location"]];

/**
 * Waybills after `after` in number order with their legs and events: one page of a keyset
 * scan over all of them (the bulk rebuild), one round trip.
 */
export async function selectFactSourcePage(
  db: Db,
  after: string,
  limit: number,
): Promise<FactSource[]> {
  const rows = await sqlOf(db).unsafe(FACT_SOURCE_PAGE, [after, limit], { prepare: true });
  return rows.map((r) => ({
    waybill: {
      number: r.number,
      shipperId: r.shipper_id,
      carrierId: r.carrier_id,
      origin: r.origin,
      destination: r.destination,
      cargo: r.cargo,
      priceAmount: r.price_amount,
      priceCurrency: r.price_currency,
      points: r.points,
      status: r.status,
      homeNode: r.home_node,
      // The driver leaves timestamps as text here (drizzle sets it so); facts need instants.
      createdAt: new Date(r.created_at),
    },
    legs: ((JSON.parse(r.legs ?? "[]") as LegTuple[]) ?? []).map(([seq, mode, from, to, at]) => ({
      seq,
      mode,
      from,
      to,
      plannedArrival: new Date(at),
    })),
    events: ((JSON.parse(r.events ?? "[]") as EventTuple[]) ?? []).map(([type, at, location]) => ({
      type,
      occurredAt: new Date(at),
      location,
    })),
  }));
}

export type CellTableName = "report_cells" | "report_link_cells" | "report_port_cells";

export interface CellFilters {
  mode?: string;
  hsChapter?: string;
  corridor?: string;
}

const FILTERABLE: Record<CellTableName, readonly (keyof CellFilters)[]> = {
  report_cells: ["mode", "hsChapter", "corridor"],
  report_link_cells: ["mode", "corridor"],
  report_port_cells: ["mode"],
};
const COLUMN_OF = { mode: "mode", hsChapter: "hs_chapter", corridor: "corridor" } as const;

/** Buckets of each histogram column: every stored histogram has all of them. */
const HIST_BUCKETS: Record<string, number> = {
  transit_hist: TRANSIT_EDGES.length,
  dwell_hist: DWELL_EDGES.length,
};

/** A column summed over a group of cells; a histogram bucket by bucket. */
function groupSum([n, r]: readonly [string, Rollup]): string {
  if (r === "hist") {
    const buckets = Array.from({ length: HIST_BUCKETS[n] ?? 0 }, (_, i) => `sum(${n}[${i + 1}])`);
    return `array[${buckets.join(", ")}]::int[] as ${n}`;
  }
  return r === "count" ? `sum(${n})::int as ${n}` : `sum(${n}) as ${n}`;
}

/**
 * The cells of one grain whose period lies in [from, to), filtered on their key columns (an
 * index range scan on the primary key, which leads with (grain, period)), summed in the
 * database by period, the key columns in `keep` and whether each cell is published (k
 * distinct shippers and carriers): what a report's rows group by, so a year of a million
 * waybills' cells comes back as a few hundred rows. `cells` counts the cells of each; ids
 * never leave the database.
 */
export function selectReportCells(
  db: Db,
  table: CellTableName,
  query: {
    grain: "day" | "month";
    from: string;
    to: string;
    k: number;
    keep: readonly string[];
    /** The value columns to sum (those of the table among them); all when absent. */
    values?: readonly string[];
    filters?: CellFilters;
  },
): Promise<Record<string, unknown>[]> {
  const t = CELL_TABLES.find((c) => c.table === table);
  if (!t) throw new Error(`unknown cell table ${table}`);
  const keys = new Set(t.keys.map(([n]) => n));
  const bad = query.keep.find((n) => !keys.has(n));
  if (bad) throw new Error(`${table} has no key column ${bad}`);
  const values = t.columns.filter(
    ([n, r]) => r !== "parties" && r !== "least" && (!query.values || query.values.includes(n)),
  );
  const group = ["period", ...query.keep, "published"].join(", ");
  const filters = query.filters ?? {};
  const conditions = FILTERABLE[table].map(
    (f, i) => `($${i + 5}::text is null or ${COLUMN_OF[f]} = $${i + 5})`,
  );
  const params = [
    query.grain,
    query.from,
    query.to,
    query.k,
    ...FILTERABLE[table].map((f) => filters[f] ?? null),
  ];
  return sqlOf(db).unsafe(
    `select ${group}, count(*)::int as cells${values.map((v) => `, ${groupSum(v)}`).join("")}
     from (select ${["period", ...query.keep, ...values.map(([n]) => n)].join(", ")},
             ${PUBLISHED("c", "$4::int")} as published
           from ${table} c where grain = $1 and period >= $2::date and period < $3::date
             and ${conditions.join(" and ")}) c
     group by ${group}`,
    params,
    { prepare: true },
  ) as unknown as Promise<Record<string, unknown>[]>;
}
