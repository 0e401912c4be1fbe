import { sqlOf, transaction } from "../../db/client";
import {
  analyzeReportTables,
  copyReportFacts,
  type FactRows,
  type FactSource,
  lockReportRollups,
  rebuildAllReportCells,
  saveReportThreshold,
  selectFactSourcePage,
  selectReportThreshold,
  truncateReportFacts,
} from "../../db/queries/reports";
import type { Ctx } from "../context";
import { waybillFacts } from "./facts";
import type { ReportGeography } from "./geography";
import { snake } from "./refresh";
import { reportGeography, reportSetup } from "./setup";

/** Waybills per page of the scan: few round trips, and a page's rows fit easily in memory. */
const PAGE = 5_000;

type RebuildCtx = Pick<Ctx, "db" | "network" | "reports">;

function factsOf(geo: ReportGeography, page: readonly FactSource[]): FactRows {
  const out: FactRows = { facts: [], links: [], crossings: [] };
  for (const { waybill, legs, events } of page) {
    const f = waybillFacts(geo, waybill, legs, events);
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
 * million waybills. Facts are computed by the same `waybillFacts` as the refresh, a page of
 * waybills at a time while the next page is read and the previous page's facts are copied; the
 * cells are then rebuilt set-based, one statement per table and grain, in one transaction.
 * Run it on a node no one is writing to: a refresh running at the same time could see the facts
 * half written. Returns the waybills read and the facts written (replicas and cancelled
 * waybills have none).
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
  let page = await selectFactSourcePage(ctx.db, "", PAGE);
  while (page.length > 0) {
    const next = selectFactSourcePage(ctx.db, page.at(-1)?.waybill.number ?? "", PAGE);
    next.catch(() => {});
    const rows = factsOf(geo, page);
    read += page.length;
    facts += rows.facts.length;
    await writing;
    writing = copyReportFacts(sql, rows);
    // A failed copy surfaces at the next `await writing`, not as an unhandled rejection first.
    writing.catch(() => {});
    page = await next;
  }
  await writing;
  await analyzeReportTables(ctx.db, "facts");
  await transaction(ctx.db, async (tx) => {
    await lockReportRollups(tx);
    await rebuildAllReportCells(tx, reportSetup(ctx).minParties);
  });
  await analyzeReportTables(ctx.db, "cells");
  return { waybills: read, facts };
}

/**
 * Run at start: when the cells were built with another k than the node's (its
 * `CARAVAN_REPORT_MIN_PARTIES` changed), rebuilds them from the facts before anything reads
 * them, in one transaction under the rollups' lock. Returns whether it rebuilt.
 */
export async function ensureReportThreshold(ctx: Pick<Ctx, "db" | "reports">): Promise<boolean> {
  const k = reportSetup(ctx).minParties;
  return transaction(ctx.db, async (tx) => {
    await lockReportRollups(tx);
    const built = await selectReportThreshold(tx);
    if (built.minParties === k) return false;
    if (built.empty) {
      await saveReportThreshold(tx, k);
      return false;
    }
    await rebuildAllReportCells(tx, k);
    return true;
  });
}
