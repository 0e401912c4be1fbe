import { parseArgs } from "node:util";
import { configSchema } from "../core/config";
import { rebuildAllReports } from "../core/reports/rebuild";
import { type Database, migrateDatabase, openDatabase } from "../db/client";
import type { RoutingEngine } from "../routing/engine";
import { loadSeedCorridors } from "./corridors";
import { SeedRefused, seedHistory } from "./history/run";
import { loadSeedEngine } from "./network";

/**
 * `npm run seed -- --waybills <n> [--seed <s>] [--until <iso>] [--node <code>]`: fills the
 * database at DATABASE_URL with sample history. See README, "Sample data".
 */

const DAY_MS = 86_400_000;

function fail(reason: string): never {
  process.stderr.write(`seed: ${reason}\n`);
  process.exit(1);
}

function options() {
  const { values } = parseArgs({
    options: {
      waybills: { type: "string" },
      seed: { type: "string", default: "1" },
      until: { type: "string" },
      node: { type: "string", default: "XJ" },
    },
  });
  const waybills = Number(values.waybills);
  if (!values.waybills || !Number.isInteger(waybills) || waybills < 1 || waybills > 99_999_999) {
    fail("--waybills must be a whole number from 1 to 99999999");
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    fail("--seed must be a whole number from 0 to 4294967295");
  // Today's midnight (UTC) by default: the same seed gives the same rows all day.
  const until = values.until
    ? new Date(values.until)
    : new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  if (Number.isNaN(until.getTime())) fail("--until must be an ISO date, e.g. 2026-11-30T00:00:00Z");
  if (!/^[A-Z]{2,4}$/.test(values.node))
    fail("--node must be the node's code, 2-4 capital letters (CARAVAN_NODE_CODE)");
  return { waybills, seed, until, nodeCode: values.node };
}

/**
 * Runs after the history is written, before the database is closed: rebuilds the report
 * facts and rollups in one pass (the seed marks nothing dirty; refreshing a million waybills
 * one batch at a time would take half an hour). k is the node's, read as the node reads it.
 */
async function afterSeed(database: Database, network: RoutingEngine): Promise<void> {
  const started = performance.now();
  const minParties = configSchema.shape.CARAVAN_REPORT_MIN_PARTIES.parse(
    process.env.CARAVAN_REPORT_MIN_PARTIES,
  );
  const done = await rebuildAllReports({
    db: database.db,
    network,
    reports: { corridors: loadSeedCorridors(), minParties },
  });
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `seed: report rollups rebuilt from ${done.waybills} waybills in ${seconds.toFixed(1)} s\n`,
  );
}

async function main(): Promise<void> {
  const opts = options();
  // The seed reads the environment itself: it is its own composition root, like the server.
  const url = process.env.DATABASE_URL;
  if (!url) {
    fail(
      "DATABASE_URL must be set to the node's database (the embedded one is not started for seeding)",
    );
  }
  const database = openDatabase(url, { max: 8 });
  try {
    await migrateDatabase(database);
    await database.sql`set synchronous_commit = off`.catch(() => {});
    const engine = loadSeedEngine({
      onDetourFlag: (message) => process.stderr.write(`seed: network: ${message}\n`),
    });
    const report = await seedHistory(database, engine, { ...opts, progress: true });
    await afterSeed(database, engine);
    process.stderr.write(
      `seed: ${report.waybills} waybills, ${report.rows} rows in ${report.seconds.toFixed(1)} s\n`,
    );
  } catch (e) {
    if (e instanceof SeedRefused) fail(e.message);
    fail(e instanceof Error ? e.message : String(e));
  } finally {
    await database.close();
  }
}

await main();
