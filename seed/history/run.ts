import { availableParallelism } from "node:os";
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
import { Season } from "./calendar";
import {
  type BatchChunks,
  type BatchRequest,
  buildWorld,
  type GeneratedBatch,
  generateBatch,
  type RunSetup,
  runParties,
} from "./generate";
import { partiesText } from "./organizations";
import { GeneratorPool } from "./pool";
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
  /** Generator threads; by default one per core, up to two, and none for a single batch. */
  threads?: number;
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
 * is committed. Legs take two connections, alternating batches, so the server's work spreads
 * over more backends; events keep batch order, as their identity ids must follow the seed.
 */
class Pipeline {
  private loads: Promise<void> = Promise.resolve();
  private bids: Promise<void> = Promise.resolve();
  private waybills: Promise<void> = Promise.resolve();
  private readonly legs: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  private events: Promise<void> = Promise.resolve();
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
    const events = after(this.events).then(() => copyWaybillEvents(sql, b.events));
    this.legs[lane] = legs;
    this.events = events;
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

/** Where batches are made: generator threads, or this thread for a small run. */
function generator(setup: RunSetup, engine: RoutingEngine, threads: number) {
  if (threads > 0) {
    const pool = new GeneratorPool(setup, threads);
    return { make: (r: BatchRequest) => pool.generate(r), close: () => pool.close() };
  }
  const world = buildWorld(setup, engine);
  return {
    make: (r: BatchRequest) => Promise.resolve(generateBatch(world, setup.seed, r)),
    close: async () => {},
  };
}

async function writeWaybills(
  database: Database,
  engine: RoutingEngine,
  setup: RunSetup,
  opts: SeedOptions,
  progress?: Progress,
): Promise<number> {
  // The instants draw from a stream of their own, so batches can draw theirs independently.
  const times = new Season(opts.until).sample(new Random(~setup.seed >>> 0), opts.waybills);
  const first = await reserveWaybillNumbers(database.sql, opts.waybills);
  const size = opts.batchSize ?? 5_000;
  const batches = Math.ceil(opts.waybills / size);
  const threads = batches > 1 ? (opts.threads ?? Math.min(2, availableParallelism())) : 0;
  const gen = generator(setup, engine, threads);
  const pipeline = new Pipeline(database.sql);
  const made: Promise<GeneratedBatch>[] = [];
  const request = (index: number) => {
    const start = index * size;
    const req = { index, firstSeq: first + start, times: times.slice(start, start + size) };
    made[index] = gen.make(req);
    made[index]?.catch(() => {});
  };
  let rows = 0;
  try {
    for (let i = 0; i < Math.min(batches, threads + 1); i++) request(i);
    for (let index = 0; index < batches; index++) {
      const batch = await made[index];
      if (!batch) throw new Error(`batch ${index} was never requested`);
      if (index + threads + 1 < batches) request(index + threads + 1);
      rows += batch.rows;
      await pipeline.drain(3);
      pipeline.push(batch.chunks);
      progress?.update(Math.min(opts.waybills, (index + 1) * size), rows);
    }
    await pipeline.drain(0);
  } finally {
    await gen.close();
  }
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
  const setup: RunSetup = {
    seed: opts.seed,
    waybills: opts.waybills,
    until: opts.until.getTime(),
    nodeCode: opts.nodeCode,
  };
  const parties = runParties(setup);
  const text = partiesText(parties);
  await copyOrganizations(database.sql, text.organizations);
  await copyVehicles(database.sql, text.vehicles);
  const rows = await writeWaybills(database, engine, setup, opts, progress);
  await finishSeedRun(database.sql);
  progress?.finish();
  const orgRows = parties.shippers.length + parties.carriers.length + parties.vehicles.length;
  return {
    waybills: opts.waybills,
    rows: rows + orgRows,
    seconds: (performance.now() - started) / 1000,
  };
}
