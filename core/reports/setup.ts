import { markReportDirty } from "../../db/queries/reports";
import type { Corridor } from "../../routing/types";
import type { Ctx, TxState } from "../context";
import { geographyOf, type ReportGeography } from "./geography";
import { MIN_PARTIES, type ReportSetup } from "./options";

const NO_CORRIDORS: readonly Corridor[] = [];

export function reportSetup(ctx: Pick<Ctx, "reports">): ReportSetup {
  return ctx.reports ?? { corridors: NO_CORRIDORS, minParties: MIN_PARTIES.floor };
}

/** Where reports read their cells: the replica when the node has one. */
export function reportReadDb(ctx: Pick<Ctx, "reports" | "db">) {
  return ctx.reports?.readDb ?? ctx.db;
}

export function reportGeography(ctx: Pick<Ctx, "network" | "reports">): ReportGeography {
  return geographyOf(ctx.network, reportSetup(ctx).corridors);
}

/**
 * Marks waybills for the report refresh in the caller's transaction, and asks for a refresh
 * once it commits (the periodic job catches up if that request is lost).
 */
export function markForReports(
  tx: Ctx & { tx: TxState },
  numbers: readonly string[],
): Promise<void> {
  if (tx.jobs && !tx.tx.afterCommit.includes(requestRefresh(tx))) {
    tx.tx.afterCommit.push(requestRefresh(tx));
  }
  return markReportDirty(tx.db, numbers);
}

const hooks = new WeakMap<TxState, () => Promise<void>>();

/** One after-commit refresh request per transaction, however many waybills it marks. */
function requestRefresh(tx: Ctx & { tx: TxState }): () => Promise<void> {
  let hook = hooks.get(tx.tx);
  if (!hook) {
    const jobs = tx.jobs;
    hook = async () => {
      await jobs?.schedule({ kind: "reports.refresh" });
    };
    hooks.set(tx.tx, hook);
  }
  return hook;
}
