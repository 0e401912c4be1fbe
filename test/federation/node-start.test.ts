import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { startNode } from "../../api/node";
import { loadConfig } from "../../core/config";
import { encodeNodeKey, generateNodeKey, nodeIdentity } from "../../core/identity/node-identity";
import { createTestDatabase } from "../support/db";

// A real node process over HTTP: its first start makes its node key the first signing key;
// a restart with another node key still publishes the keys, and says none can sign.
const database = await createTestDatabase();
const dataDir = await mkdtemp(join(tmpdir(), "caravan-fed-"));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function start(nodeKey: string) {
  const lines: { msg: string }[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const config = loadConfig({
    DATABASE_URL: database.url,
    CARAVAN_DATA_DIR: dataDir,
    PORT: "0",
    CARAVAN_NODE_CODE: "KZ",
    CARAVAN_NODE_NAME: "Caravan Qazaqstan",
    CARAVAN_NODE_KIND: "belt_and_road",
    CARAVAN_NODE_KEY: nodeKey,
    CARAVAN_WORKERS: "off",
  });
  const node = await startNode(config, { logger });
  const res = await fetch(`${node.url}/.well-known/caravan-node`);
  const body = (await res.json()) as { code: string; jwks: { keys: { kid: string }[] } };
  await node.stop();
  return { status: res.status, body, warnings: lines.map((l) => l.msg) };
}

describe("a node's first start", () => {
  const key = generateNodeKey();

  it("publishes its node key as its first signing key", async () => {
    const { kid } = await nodeIdentity(key);
    const first = await start(encodeNodeKey(key));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      code: "KZ",
      name: "Caravan Qazaqstan",
      kind: "belt_and_road",
    });
    expect(first.body.jwks.keys.map((k) => k.kid)).toEqual([kid]);
    expect(first.warnings.filter((m) => m.includes("signing key"))).toEqual([]);
  });

  it("restarted with another node key, keeps the published keys and warns", async () => {
    const { kid } = await nodeIdentity(key);
    const again = await start(encodeNodeKey(generateNodeKey()));
    expect(again.body.jwks.keys.map((k) => k.kid)).toEqual([kid]);
    expect(again.warnings.some((m) => m.includes("no published signing key is usable"))).toBe(true);
  });
});
