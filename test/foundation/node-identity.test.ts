import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compactVerify, importJWK } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { openCheckpointFile } from "../../core/audit/checkpoints";
import { ConfigError } from "../../core/config";
import { loadNodeIdentity, NODE_KEY_FILE } from "../../core/identity/load";
import {
  encodeNodeKey,
  generateNodeKey,
  nodeIdentity,
  parseNodeKey,
} from "../../core/identity/node-identity";

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "caravan-key-"));
  dirs.push(dir);
  return join(dir, "data"); // not there yet: the first start makes it
}
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("the node key", () => {
  it("is generated on first start into the data directory, readable by the node alone", async () => {
    const dir = await dataDir();
    const first = await loadNodeIdentity({ dataDir: dir });
    expect(first).toMatchObject({ source: "file", generated: true });
    const path = join(dir, NODE_KEY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await loadNodeIdentity({ dataDir: dir });
    expect(again.generated).toBe(false);
    expect(again.identity.kid).toBe(first.identity.kid);
    // The file holds the CARAVAN_NODE_KEY form: it can be moved into the variable as it is.
    const fromEnv = await loadNodeIdentity({
      nodeKey: await readFile(path, "utf8"),
      dataDir: await dataDir(),
    });
    expect(fromEnv).toMatchObject({ source: "CARAVAN_NODE_KEY", generated: false });
    expect(fromEnv.identity.kid).toBe(first.identity.kid);
  });

  it.each([
    ["base64url PKCS#8", (k: ReturnType<typeof generateNodeKey>) => encodeNodeKey(k)],
    [
      "base64 PKCS#8",
      (k: ReturnType<typeof generateNodeKey>) =>
        k.export({ format: "der", type: "pkcs8" }).toString("base64"),
    ],
    [
      "PEM",
      (k: ReturnType<typeof generateNodeKey>) => String(k.export({ format: "pem", type: "pkcs8" })),
    ],
    [
      "private JWK",
      (k: ReturnType<typeof generateNodeKey>) => JSON.stringify(k.export({ format: "jwk" })),
    ],
  ])("reads CARAVAN_NODE_KEY as %s", async (_form, encode) => {
    const key = generateNodeKey();
    const expected = await nodeIdentity(key);
    expect((await nodeIdentity(parseNodeKey(encode(key)))).kid).toBe(expected.kid);
  });

  it.each([
    ["garbage", "not-a-key", /not a private key/],
    ["an RSA key", encodeRsa(), /an Ed25519 key is required, got rsa/],
  ])("refuses %s in CARAVAN_NODE_KEY, naming the variable", async (_what, value, message) => {
    const load = loadNodeIdentity({ nodeKey: value, dataDir: await dataDir() });
    await expect(load).rejects.toBeInstanceOf(ConfigError);
    await expect(load).rejects.toThrow(/CARAVAN_NODE_KEY/);
    await expect(load).rejects.toThrow(message);
  });

  it("publishes only its public half, named by its RFC 7638 thumbprint", async () => {
    const identity = await nodeIdentity(generateNodeKey());
    expect(identity.publicJwk).toEqual({
      kty: "OKP",
      crv: "Ed25519",
      x: expect.any(String),
      kid: identity.kid,
      alg: "EdDSA",
      use: "sig",
    });
    expect(identity.kid).toMatch(/^[\w-]{43}$/);
  });

  it("signs checkpoints any JOSE library can check with the public JWK", async () => {
    const identity = await nodeIdentity(generateNodeKey());
    const dir = await dataDir();
    const store = await openCheckpointFile(join(dir, "audit", "cp.jws"), identity);
    const cp = await store.add({ count: 3, head: "ab".repeat(32), at: new Date().toISOString() });
    const { payload, protectedHeader } = await compactVerify(
      cp.jws,
      await importJWK(identity.publicJwk, "EdDSA"),
    );
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: identity.kid });
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ count: 3 });
    // Another key's checkpoints are not this node's: a file of them anchors nothing.
    const stranger = await nodeIdentity(generateNodeKey());
    let skipped = 0;
    const foreign = await openCheckpointFile(join(dir, "audit", "cp.jws"), stranger, {
      onSkipped: (n) => {
        skipped = n;
      },
    });
    expect(foreign.latest()).toBeNull();
    expect(skipped).toBe(1);
  });

  it("proves audit entries with a secret that differs from key to key", async () => {
    const a = await nodeIdentity(generateNodeKey());
    const b = await nodeIdentity(generateNodeKey());
    expect(a.auditMac("entry")).toBe(a.auditMac("entry"));
    expect(a.auditMac("entry")).not.toBe(b.auditMac("entry"));
    expect(a.auditMac("entry")).not.toBe(a.auditMac("entry."));
  });
});

function encodeRsa(): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return privateKey.export({ format: "der", type: "pkcs8" }).toString("base64url");
}
