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
import { TextSink } from "./text";

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

/**
 * Batches are copied table by table in foreign-key order, a child's batch once its parents'
 * is committed. Legs and events, most of the rows, take two connections each, alternating
 * batches, so the server's work spreads over more than one backend.
 */
class Pipeline {
  private loads: Promise<void> = Promise.resolve();
  private bids: Promise<void> = Promise.resolve();
  private waybills: Promise<void> = Promise.resolve();
  private readonly legs: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  private readonly events: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  private readonly inFlight: Promise<unknown>[] = [];
  private pushed = 0;

  constructor(private readonly sql: Sql) {}

  push(b: BatchChunks): void {
    const { sql } = this;
    const lane = this.pushed++ % 2;
    this.loads = this.loads.then(() => copyLoads(sql, b.loads));
    this.bids = Promise.all([this.bids, this.loads]).then(() => copyBids(sql, b.bids));
    this.waybills = Promise.all([this.waybills, this.bids]).then(() =>
      copyWaybills(sql, b.waybills),
    );
    const after = (previous: Promise<void> | undefined) => Promise.all([previous, this.waybills]);
    const legs = after(this.legs[lane]).then(() => copyWaybillLegs(sql, b.legs));
    const events = after(this.events[lane]).then(() => copyWaybillEvents(sql, b.events));
    this.legs[lane] = legs;
    this.events[lane] = events;
    const done = Promise.all([legs, events]);
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
  const sink = () => new TextSink();
  return { loads: sink(), bids: sink(), waybills: sink(), legs: sink(), events: sink(), rows: 0 };
}

type BatchChunks = Record<"loads" | "bids" | "waybills" | "legs" | "events", Buffer[]>;

function take(b: BatchText): BatchChunks {
  return {
    loads: b.loads.take(),
    bids: b.bids.take(),
    waybills: b.waybills.take(),
    legs: b.legs.take(),
    events: b.events.take(),
  };
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
    await pipeline.drain(3);
    pipeline.push(take(batch));
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
