import { sqlOf, transaction } from "../../db/client";
import {
  copyReportFacts,
  type FactRows,
  rebuildAllReportCells,
  selectLegsAndEventsBetween,
  selectWaybillPage,
  truncateReportFacts,
} from "../../db/queries/reports";
import type { Waybill } from "../../db/schema";
import type { Ctx } from "../context";
import { waybillFacts } from "./facts";
import type { ReportGeography } from "./geography";
import { byWaybill, snake } from "./refresh";
import { reportGeography, reportSetup } from "./setup";

/** Waybills per page of the scan: few round trips, and a page's rows fit easily in memory. */
const PAGE = 5_000;

type RebuildCtx = Pick<Ctx, "db" | "network" | "reports">;

async function readPage(ctx: RebuildCtx, after: string): Promise<Waybill[] | null> {
  const page = await selectWaybillPage(ctx.db, after, PAGE);
  return page.length === 0 ? null : page;
}

function factsOf(
  geo: ReportGeography,
  page: readonly Waybill[],
  sources: Awaited<ReturnType<typeof selectLegsAndEventsBetween>>,
): FactRows {
  const legsOf = byWaybill(sources.legs);
  const eventsOf = byWaybill(sources.events);
  const out: FactRows = { facts: [], links: [], crossings: [] };
  for (const w of page) {
    const f = waybillFacts(geo, w, legsOf.get(w.number) ?? [], eventsOf.get(w.number) ?? []);
    if (!f) continue;
    out.facts.push(snake(f.fact));
    for (const l of f.links) out.links.push(snake(l));
    for (const c of f.crossings) out.crossings.push(snake(c));
  }
  return out;
}

/**
 * Recomputes every waybill's facts and every rollup cell from scratch: after a bulk load
 * (`npm run seed`), where refreshing through the dirty list would take half an hour per
 * million waybills. Facts are computed by the same `waybillFacts` as the refresh and written
 * by COPY while the next page is read; the cells are then rebuilt set-based, one statement per
 * table and grain, in one transaction. Run it on a node no one is writing to: a refresh running
 * at the same time could see the facts half written. Returns the number of waybills read.
 */
export async function rebuildAllReports(
  ctx: RebuildCtx,
): Promise<{ waybills: number; facts: number }> {
  const geo = reportGeography(ctx);
  const sql = sqlOf(ctx.db);
  await truncateReportFacts(ctx.db);
  let read = 0;
  let facts = 0;
  let writing: Promise<void> = Promise.resolve();
  let page = await readPage(ctx, "");
  while (page) {
    const first = page[0]?.number ?? "";
    const last = page.at(-1)?.number ?? "";
    // The next page and this page's legs and events are read together, while the last
    // page's facts are still being copied.
    const [next, sources] = await Promise.all([
      readPage(ctx, last),
      selectLegsAndEventsBetween(ctx.db, first, last),
    ]);
    const rows = factsOf(geo, page, sources);
    read += page.length;
    facts += rows.facts.length;
    await writing;
    writing = copyReportFacts(sql, rows);
    // A failed copy surfaces at the next `await writing`, not as an unhandled rejection first.
    writing.catch(() => {});
    page = next;
  }
  await writing;
  await transaction(ctx.db, (tx) => rebuildAllReportCells(tx, reportSetup(ctx).minParties));
  return { waybills: read, facts };
}
