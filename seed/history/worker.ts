import { parentPort, workerData } from "node:worker_threads";
import { loadSeedEngine } from "../network";
import { type BatchRequest, buildWorld, generateBatch, type RunSetup } from "./generate";

/** A generator thread: builds the run's world once, then answers batch requests. */
const setup = workerData as RunSetup;
const world = buildWorld(setup, loadSeedEngine());
parentPort?.on("message", (req: BatchRequest) => {
  const batch = generateBatch(world, setup.seed, req);
  const buffers = new Set(Object.values(batch.chunks).flatMap((c) => c.map((b) => b.buffer)));
  parentPort?.postMessage({ index: req.index, batch }, [...buffers] as ArrayBuffer[]);
});
