import { Worker } from "node:worker_threads";
import type { BatchRequest, GeneratedBatch, RunSetup } from "./generate";

/**
 * The thread registers tsx's loader before importing the TypeScript entry: `--import tsx` in a
 * worker's execArgv is not honoured under every runner (vitest's forks among them).
 */
const BOOT = `import("tsx/esm/api").then((tsx) => {
  tsx.register();
  return import(${JSON.stringify(new URL("./worker.ts", import.meta.url).href)});
});`;

type Waiting = { resolve: (b: GeneratedBatch) => void; reject: (e: unknown) => void };

/**
 * Generator threads: batches are made side by side while the database writes earlier ones.
 * Generation is CPU-bound JavaScript, and the server often sat idle waiting for it.
 */
export class GeneratorPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, Waiting>();
  private next = 0;

  constructor(setup: RunSetup, threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(BOOT, { eval: true, workerData: setup });
      w.on("message", (m: { index: number; batch: GeneratedBatch }) => {
        this.waiting.get(m.index)?.resolve(m.batch);
        this.waiting.delete(m.index);
      });
      w.on("error", (e) => {
        for (const p of this.waiting.values()) p.reject(e);
        this.waiting.clear();
      });
      return w;
    });
  }

  generate(req: BatchRequest): Promise<GeneratedBatch> {
    const worker = this.workers[this.next++ % this.workers.length];
    if (!worker) throw new Error("no generator threads");
    return new Promise((resolve, reject) => {
      this.waiting.set(req.index, { resolve, reject });
      worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
