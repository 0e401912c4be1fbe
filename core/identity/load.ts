import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConfigError } from "../config";
import {
  encodeNodeKey,
  generateNodeKey,
  type NodeIdentity,
  nodeIdentity,
  parseNodeKey,
} from "./node-identity";

export const NODE_KEY_FILE = "node-key";

/**
 * The node's identity at start-up: from `CARAVAN_NODE_KEY` when set, else from
 * `<dataDir>/node-key`, which the first start creates (mode 0600, the same encoding as the
 * variable, so it can be moved into one). `generated` tells the caller to say so.
 */
export async function loadNodeIdentity(opts: {
  nodeKey?: string;
  dataDir: string;
}): Promise<{ identity: NodeIdentity; source: "CARAVAN_NODE_KEY" | "file"; generated: boolean }> {
  if (opts.nodeKey) {
    try {
      return {
        identity: await nodeIdentity(parseNodeKey(opts.nodeKey)),
        source: "CARAVAN_NODE_KEY",
        generated: false,
      };
    } catch (err) {
      throw new ConfigError(
        `Invalid configuration:\n  CARAVAN_NODE_KEY: ${err instanceof Error ? err.message : err}`,
      );
    }
  }
  const dir = resolve(opts.dataDir);
  const path = join(dir, NODE_KEY_FILE);
  const existing = await readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (existing !== undefined) {
    try {
      return {
        identity: await nodeIdentity(parseNodeKey(existing)),
        source: "file",
        generated: false,
      };
    } catch (err) {
      throw new ConfigError(`${path}: ${err instanceof Error ? err.message : err}`);
    }
  }
  await mkdir(dir, { recursive: true });
  const key = generateNodeKey();
  try {
    // `wx`: two processes starting at once on one data directory keep the first one's key.
    await writeFile(path, `${encodeNodeKey(key)}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return loadNodeIdentity(opts);
    throw err;
  }
  return { identity: await nodeIdentity(key), source: "file", generated: true };
}
