import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Logger } from "pino";
import type { Config } from "../core/config";
import type { SweepIntervals } from "../workers";
import { type ComposedNode, composeNode } from "./compose";

export interface RunningNode extends Omit<ComposedNode, "stop"> {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts one Caravan node: the parts `composeNode` puts together, the HTTP API listening on
 * HOST:PORT and the workers, in one process.
 */
export async function startNode(
  config: Config,
  opts: { logger?: Logger; sweeps?: SweepIntervals } = {},
): Promise<RunningNode> {
  const node = await composeNode(config, opts);
  const server = serve({ fetch: node.app.fetch, port: config.PORT, hostname: config.HOST });
  await new Promise<void>((ok, fail) => {
    server.once("listening", ok);
    server.once("error", fail);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let stopping: Promise<void> | undefined;
  return {
    ...node,
    url: `http://${host}:${address.port}`,
    stop() {
      // Drain HTTP first (no new work), then workers finish their jobs, then connections close.
      stopping ??= (async () => {
        await new Promise<void>((ok) => server.close(() => ok()));
        await node.stop();
      })();
      return stopping;
    },
  };
}
