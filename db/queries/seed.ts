import type { Sql } from "../client";

export interface SeedRunClaim {
  seed: number;
  waybills: number;
  until: Date;
}

/**
 * Claims the database's one sample-data run; false when a run already claimed it (finished
 * or not), so seeding twice, or in two processes at once, is refused.
 */
export async function claimSeedRun(client: Sql, run: SeedRunClaim): Promise<boolean> {
  const rows = await client`
    insert into seed_runs (id, seed, waybills, until)
    values (1, ${run.seed}, ${run.waybills}, ${run.until.toISOString()})
    on conflict (id) do nothing
    returning id`;
  return rows.length === 1;
}

/**
 * Marks the run finished, after refreshing the planner's statistics of the tables it filled:
 * until autovacuum gets to them (minutes, at a million waybills) the planner took them for
 * empty, and a sweep's or a refresh's index scans became sequential scans of millions of rows.
 */
export async function finishSeedRun(client: Sql): Promise<void> {
  await client`analyze organizations, vehicles, loads, bids, waybills, waybill_legs, waybill_events`;
  await client`update seed_runs set finished_at = now() where id = 1`;
}

/** The run that claimed the database, if any. */
export async function selectSeedRun(
  client: Sql,
): Promise<{ seed: number; waybills: number; finishedAt: Date | null } | undefined> {
  const [row] = await client<{ seed: string; waybills: number; finished_at: Date | null }[]>`
    select seed::text, waybills, finished_at from seed_runs where id = 1`;
  return row
    ? { seed: Number(row.seed), waybills: row.waybills, finishedAt: row.finished_at }
    : undefined;
}
