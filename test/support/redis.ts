import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Whether this machine can run a Redis of a test's own (`redis-server` and `redis-cli`). */
export const canRunOwnRedis =
  spawnSync("redis-server", ["--version"]).status === 0 &&
  spawnSync("redis-cli", ["--version"]).status === 0;

/** A free loopback port, for a server started later. */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn("redis-cli", ["-p", String(port), "ping"]);
    let out = "";
    probe.stdout.on("data", (d) => {
      out += d;
    });
    probe.on("exit", () => resolve(out.includes("PONG")));
  });
}

export interface OwnRedis {
  url: string;
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A redis-server of the test's own, on a free port, that it can stop and start again. The
 * machine's shared Redis serves other test files at the same time and is never stopped.
 */
export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "caravan-redis-"));
  let proc: ChildProcess | undefined;
  const redis: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return proc !== undefined && proc.exitCode === null;
    },
    async start() {
      // No persistence: it comes back empty, the harder case (jobs and schedules gone).
      proc = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { cwd: dir, stdio: "ignore" },
      );
      const deadline = Date.now() + 10_000;
      while (!(await pong(port))) {
        if (Date.now() > deadline) throw new Error("timed out waiting for redis to listen");
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (!proc || proc.exitCode !== null) return;
      const gone = once(proc, "exit");
      proc.kill("SIGKILL");
      await gone;
    },
    async dispose() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}
