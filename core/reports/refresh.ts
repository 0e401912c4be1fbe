import { inArray } from "drizzle-orm";
import {
  type CellKeys,
  claimReportDirty,
  replaceReportFacts,
  reportFreshness,
  selectCellMateKeys,
  selectFactKeys,
  tryLockReportRollups,
} from "../../db/queries/reports";
import { waybillEvents, waybillLegs, waybills } from "../../db/schema";
import type { Ctx } from "../context";
import { withTransaction } from "../transaction";
import { type WaybillFacts, waybillFacts } from "./facts";
import { reportGeography, reportSetup } from "./setup";

/** Waybills per refresh transaction: small enough to hold few locks, big enough to keep up. */
const REFRESH_BATCH = 500;

const monthOf = (day: string) => `${day.slice(0, 7)}-01`;

function distinct(keys: readonly string[][]): string[][] {
  return [...new Map(keys.map((k) => [k.join("\u0000"), k])).values()];
}

/** Each key under both grains: the day cell and the month cell it rolls into. */
function bothGrains(keys: readonly string[][]): string[][] {
  const out = new Map<string, string[]>();
  for (const [day = "", ...rest] of keys) {
    for (const k of [
      ["day", day, ...rest],
      ["month", monthOf(day), ...rest],
    ]) {
      out.set(k.join("\u0000"), k);
    }
  }
  return [...out.values()];
}

function newKeys(all: readonly WaybillFacts[]): CellKeys {
  return {
    flows: all.map(({ fact: f }) => [f.day, f.oArea, f.dArea, f.mode, f.hsChapter, f.corridor]),
    links: all.flatMap((w) => w.links.map((l) => [l.day, l.linkId, l.mode, l.corridor])),
    ports: all.flatMap((w) => w.crossings.map((c) => [c.day, c.port, c.mode])),
  };
}

/** Rows grouped by waybill in one pass: matching each waybill by a scan was quadratic. */
function byWaybill<T extends { waybillNumber: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.waybillNumber);
    if (list) list.push(r);
    else out.set(r.waybillNumber, [r]);
  }
  return out;
}

export const snake = (o: object): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
  );

/**
 * Takes a batch of dirty waybills, recomputes their facts and every rollup cell they fall or
 * fell in, and clears their marks, all in one transaction. Returns how many were refreshed;
 * 0 when nothing is dirty (or all dirty rows are held by another refresh).
 */
export async function refreshReports(ctx: Ctx, opts: { batch?: number } = {}): Promise<number> {
  const geo = reportGeography(ctx);
  return withTransaction(ctx, async (tx) => {
    // Another refresh is running: its marks and the rest wait for the next one.
    if (!(await tryLockReportRollups(tx.db))) return 0;
    const numbers = await claimReportDirty(tx.db, opts.batch ?? REFRESH_BATCH);
    if (numbers.length === 0) return 0;
    const [rows, legs, events, old] = await Promise.all([
      tx.db.select().from(waybills).where(inArray(waybills.number, numbers)),
      tx.db.select().from(waybillLegs).where(inArray(waybillLegs.waybillNumber, numbers)),
      tx.db.select().from(waybillEvents).where(inArray(waybillEvents.waybillNumber, numbers)),
      selectFactKeys(tx.db, numbers),
    ]);
    const all: WaybillFacts[] = [];
    const legsOf = byWaybill(legs);
    const eventsOf = byWaybill(events);
    for (const w of rows) {
      const facts = waybillFacts(geo, w, legsOf.get(w.number) ?? [], eventsOf.get(w.number) ?? []);
      if (facts) all.push(facts);
    }
    const fresh = newKeys(all);
    const mates = await selectCellMateKeys(tx.db, distinct([...old.flows, ...fresh.flows]));
    await replaceReportFacts(
      tx.db,
      numbers,
      {
        facts: all.map((w) => snake(w.fact)),
        links: all.flatMap((w) => w.links.map(snake)),
        crossings: all.flatMap((w) => w.crossings.map(snake)),
      },
      {
        flows: bothGrains([...old.flows, ...fresh.flows]),
        links: bothGrains([...old.links, ...fresh.links, ...mates.links]),
        ports: bothGrains([...old.ports, ...fresh.ports, ...mates.ports]),
      },
      reportSetup(ctx).minParties,
    );
    return numbers.length;
  });
}

/**
 * Refreshes until nothing is dirty (tests, benchmarks, a catch-up after an outage), waiting
 * out a refresh another process is running.
 */
export async function refreshAllReports(ctx: Ctx): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await refreshReports(ctx);
    total += n;
    if (n > 0) continue;
    if ((await reportFreshness(ctx.db)).dirty === 0) return total;
    await new Promise((r) => setTimeout(r, 20));
  }
}
