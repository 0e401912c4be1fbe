import cluster from "node:cluster";
import { type Config, ConfigError, loadConfig } from "../core/config";
import { EmbeddedStartError } from "./compose";
import { startNode } from "./node";

/** What a cluster's process tells the primary once it serves. */
interface UpMessage {
  caravan: "up";
  lines: string[];
  generatedAdminKey: boolean;
}

function isUp(m: unknown): m is UpMessage {
  return typeof m === "object" && m !== null && (m as UpMessage).caravan === "up";
}

/**
 * CARAVAN_PROCESSES > 1: this process only forks the HTTP processes (they share the port) and
 * prints what they report once all are up. One that dies later is replaced; one that fails
 * to start ends the lot, since the next would fail the same way.
 */
function runPrimary(config: Config): void {
  const wanted = config.CARAVAN_PROCESSES;
  const up: UpMessage[] = [];
  let stopping = false;
  const fork = () => {
    const worker = cluster.fork();
    let serving = false;
    worker.on("message", (m: unknown) => {
      if (!isUp(m)) return;
      serving = true;
      up.push(m);
      if (up.length !== wanted) return;
      const shown = up.find((u) => u.generatedAdminKey) ?? m;
      process.stdout.write(`${[...shown.lines, `  processes  ${wanted} (cluster)`].join("\n")}\n`);
    });
    worker.on("exit", (code, signal) => {
      if (stopping) return;
      if (!serving) {
        process.stderr.write(`a Caravan process failed to start (exit ${code ?? signal})\n`);
        stopAll(1);
        return;
      }
      process.stderr.write(`a Caravan process ended (exit ${code ?? signal}); starting another\n`);
      fork();
    });
  };
  const stopAll = (code: number) => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    let left = workers.length;
    if (left === 0) process.exit(code);
    for (const w of workers) {
      w?.once("exit", () => {
        left -= 1;
        if (left === 0) process.exit(code);
      });
      w?.process.kill("SIGTERM");
    }
  };
  process.once("SIGTERM", () => stopAll(0));
  process.once("SIGINT", () => stopAll(0));
  for (let i = 0; i < wanted; i++) fork();
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.CARAVAN_PROCESSES > 1 && cluster.isPrimary) {
    runPrimary(config);
    return;
  }
  const node = await startNode(config);
  const lines = [
    `Caravan node ${config.CARAVAN_NODE_CODE} is up`,
    `  API        ${node.url}/v1`,
    `  docs       ${node.url}/docs   (OpenAPI: ${node.url}/openapi.json)`,
    `  dashboard  ${node.url}/dashboard   (regulator or admin key)`,
    `  queues     ${node.url}/admin/queues   (admin key; backend: ${node.queueBackend})`,
    `  database   ${config.DATABASE_URL ? "DATABASE_URL" : `embedded PostgreSQL under ${config.CARAVAN_DATA_DIR}`}`,
    node.generatedAdminKey
      ? `  admin key  ${node.generatedAdminKey}\n             shown once: store it now (or set CARAVAN_ADMIN_KEY)`
      : `  admin key  ${config.CARAVAN_ADMIN_KEY ? "from CARAVAN_ADMIN_KEY" : "printed on first start (or set CARAVAN_ADMIN_KEY)"}`,
  ];
  if (cluster.isWorker) {
    const message: UpMessage = {
      caravan: "up",
      lines,
      generatedAdminKey: node.generatedAdminKey !== undefined,
    };
    process.send?.(message);
  } else process.stdout.write(`${lines.join("\n")}\n`);

  const shutdown = (signal: string) => {
    node.logger.info({ signal }, "draining");
    // A terminal's Ctrl-C also reaches the embedded PostgreSQL, which then ends its sessions
    // while the node drains: errors from connections torn down now are expected, not fatal.
    const expected = (err: unknown) =>
      node.logger.warn({ err: err instanceof Error ? err.message : String(err) }, "while stopping");
    process.on("uncaughtException", expected);
    process.on("unhandledRejection", expected);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    node.stop().then(
      () => process.exit(0),
      (err) => {
        node.logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof EmbeddedStartError)
    process.stderr.write(`${err.message}\n`);
  else
    process.stderr.write(
      `Caravan failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
  process.exit(1);
});
