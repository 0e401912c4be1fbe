import { ConfigError, loadConfig } from "../core/config";
import { EmbeddedStartError } from "./compose";
import { startNode } from "./node";

async function main(): Promise<void> {
  const config = loadConfig();
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
  process.stdout.write(`${lines.join("\n")}\n`);

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
