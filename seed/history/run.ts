import type { Database, Sql } from "../../db/client";
import { copyBids, copyLoads } from "../../db/queries/marketplace";
import { copyOrganizations, copyVehicles } from "../../db/queries/participants";
import { claimSeedRun, finishSeedRun, selectSeedRun } from "../../db/queries/seed";
import {
  copyWaybillEvents,
  copyWaybillLegs,
  copyWaybills,
  reserveWaybillNumbers,
} from "../../db/queries/waybills";
import type { RoutingEngine } from "../../routing/engine";
import { type BatchText, makeWorld, type World, waybill } from "./batch";
import { Season } from "./calendar";
import { busiestLanes } from "./lanes";
import { partiesText } from "./organizations";
import { makeParties } from "./parties";
import { Places } from "./places";
import { Progress } from "./progress";
import { Random } from "./random";

export interface SeedOptions {
  waybills: number;
  seed: number;
  /** The history ends here; pass a fixed instant for the same rows on another day. */
  until: Date;
  nodeCode: string;
  /** Waybills per COPY batch. */
  batchSize?: number;
  progress?: boolean;
}

export interface SeedReport {
  waybills: number;
  rows: number;
  seconds: number;
}

/** Refused: the database holds a seed run already. Its message is the one-line reason. */
export class SeedRefused extends Error {
  override name = "SeedRefused";
}

/** How many origin–destination lanes get routes from the engine. */
const LANES = 160;

async function claim(sql: Sql, opts: SeedOptions): Promise<void> {
  if (await claimSeedRun(sql, { seed: opts.seed, waybills: opts.waybills, until: opts.until }))
    return;
  const run = await selectSeedRun(sql);
  const state = run?.finishedAt ? "a finished" : "an unfinished (stopped or still running)";
  throw new SeedRefused(
    `this database already holds sample data: ${state} seed run of ${run?.waybills} waybills with seed ${run?.seed}; seed a fresh database instead`,
  );
}

/** Batches are copied table by table in foreign-key order, each table one batch at a time. */
class Pipeline {
  private loads: Promise<void> = Promise.resolve();
  private bids: Promise<void> = Promise.resolve();
  private waybills: Promise<void> = Promise.resolve();
  private legs: Promise<void> = Promise.resolve();
  private events: Promise<void> = Promise.resolve();
  private readonly inFlight: Promise<unknown>[] = [];

  constructor(private readonly sql: Sql) {}

  push(b: BatchText): void {
    const { sql } = this;
    this.loads = this.loads.then(() => copyLoads(sql, b.loads));
    this.bids = Promise.all([this.bids, this.loads]).then(() => copyBids(sql, b.bids));
    this.waybills = Promise.all([this.waybills, this.bids]).then(() =>
      copyWaybills(sql, b.waybills),
    );
    this.legs = Promise.all([this.legs, this.waybills]).then(() => copyWaybillLegs(sql, b.legs));
    this.events = Promise.all([this.events, this.waybills]).then(() =>
      copyWaybillEvents(sql, b.events),
    );
    const done = Promise.all([this.legs, this.events]);
    // A failure surfaces at the next `drain`; keep it from being reported as unhandled first.
    done.catch(() => {});
    this.inFlight.push(done);
  }

  /** Waits until at most `keep` batches are still being written. */
  async drain(keep: number): Promise<void> {
    while (this.inFlight.length > keep) await this.inFlight.shift();
  }
}

function emptyBatch(): BatchText {
  return { loads: "", bids: "", waybills: "", legs: "", events: "", rows: 0 };
}

async function writeWaybills(
  database: Database,
  world: World,
  opts: SeedOptions,
  progress?: Progress,
): Promise<number> {
  const times = new Season(opts.until).sample(world.rng, opts.waybills);
  const first = opts.waybills > 0 ? await reserveWaybillNumbers(database.sql, opts.waybills) : 0;
  const size = opts.batchSize ?? 5_000;
  const pipeline = new Pipeline(database.sql);
  let rows = 0;
  for (let start = 0; start < opts.waybills; start += size) {
    const batch = emptyBatch();
    const end = Math.min(opts.waybills, start + size);
    for (let i = start; i < end; i++) waybill(world, first + i, times[i] ?? 0, batch);
    rows += batch.rows;
    await pipeline.drain(2);
    pipeline.push(batch);
    progress?.update(end, rows);
  }
  await pipeline.drain(0);
  return rows;
}

/**
 * Fills `database` with a year of deterministic history: organisations and fleets, loads, bids,
 * waybills over routes from `engine`, and their events. Refuses a database seeded before.
 */
export async function seedHistory(
  database: Database,
  engine: RoutingEngine,
  opts: SeedOptions,
): Promise<SeedReport> {
  const started = performance.now();
  await claim(database.sql, opts);
  const progress = opts.progress ? new Progress(opts.waybills) : undefined;
  const rng = new Random(opts.seed);
  const until = opts.until.getTime();
  const parties = makeParties(rng, opts.waybills, until);
  const text = partiesText(parties);
  await copyOrganizations(database.sql, text.organizations);
  await copyVehicles(database.sql, text.vehicles);
  const places = new Places(engine);
  const world = makeWorld(
    { rng, places, parties, nodeCode: opts.nodeCode, until },
    busiestLanes(engine, LANES),
  );
  const rows = await writeWaybills(database, world, opts, progress);
  await finishSeedRun(database.sql);
  progress?.finish();
  const orgRows = parties.shippers.length + parties.carriers.length + parties.vehicles.length;
  return {
    waybills: opts.waybills,
    rows: rows + orgRows,
    seconds: (performance.now() - started) / 1000,
  };
}
