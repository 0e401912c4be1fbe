import type { RoutingEngine } from "../../routing/engine";
import { type BatchText, makeWorld, type World, waybill } from "./batch";
import { busiestLanes } from "./lanes";
import { makeParties, type Parties } from "./parties";
import { Places } from "./places";
import { Random } from "./random";
import { TextSink } from "./text";

/** What every generator of one run shares: the same inputs give every thread the same world. */
export interface RunSetup {
  seed: number;
  waybills: number;
  until: number;
  nodeCode: string;
}

export type BatchChunks = Record<"loads" | "bids" | "waybills" | "legs" | "events", Uint8Array[]>;

export interface GeneratedBatch {
  chunks: BatchChunks;
  rows: number;
}

/** One batch to generate: which waybills, their numbers and creation instants. */
export interface BatchRequest {
  index: number;
  firstSeq: number;
  times: Float64Array;
}

/** How many origin–destination lanes get routes from the engine. */
const LANES = 160;

/** Shippers, carriers and fleets: drawn first from the seed, so every thread draws the same. */
export function runParties(setup: RunSetup): Parties {
  return makeParties(new Random(setup.seed), setup.waybills, setup.until);
}

export function buildWorld(setup: RunSetup, engine: RoutingEngine): World {
  return makeWorld(
    {
      rng: new Random(setup.seed),
      places: new Places(engine),
      parties: runParties(setup),
      nodeCode: setup.nodeCode,
      until: setup.until,
    },
    busiestLanes(engine, LANES),
  );
}

/** Each batch draws from its own stream, so batches can be made in any order, on any thread. */
function batchRandom(seed: number, index: number): Random {
  return new Random((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

export function generateBatch(world: World, seed: number, req: BatchRequest): GeneratedBatch {
  world.rng = batchRandom(seed, req.index);
  const sink = () => new TextSink();
  const b: BatchText = {
    loads: sink(),
    bids: sink(),
    waybills: sink(),
    legs: sink(),
    events: sink(),
    rows: 0,
  };
  req.times.forEach((at, i) => {
    waybill(world, req.firstSeq + i, at, b);
  });
  const chunks: BatchChunks = {
    loads: b.loads.take(),
    bids: b.bids.take(),
    waybills: b.waybills.take(),
    legs: b.legs.take(),
    events: b.events.take(),
  };
  return { chunks, rows: b.rows };
}
