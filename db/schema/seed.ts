import { sql } from "drizzle-orm";
import { bigint, check, integer, pgTable, smallint } from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { tsz } from "./columns";

/**
 * The one sample-data run a database may hold (`npm run seed`): its row is claimed before
 * anything is written, so a second run is refused, even one racing the first.
 */
export const seedRuns = pgTable(
  "seed_runs",
  {
    id: smallint().primaryKey().default(1),
    seed: bigint({ mode: "number" }).notNull(),
    waybills: integer().notNull(),
    until: tsz("until").notNull(),
    startedAt: tsz("started_at").notNull().defaultNow(),
    /** Null while the run is writing, or when it stopped before the end. */
    finishedAt: tsz("finished_at"),
  },
  () => [check("seed_runs_single_check", sql`id = 1`)],
);

export type SeedRun = typeof seedRuns.$inferSelect;

/** Operational bookkeeping of the sample data: nothing about any party. */
export const seedRunClasses: FieldClassification<SeedRun> = {
  id: "internal",
  seed: "internal",
  waybills: "internal",
  until: "internal",
  startedAt: "internal",
  finishedAt: "internal",
};
