import { verify } from "node:crypto";
import { eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { importPublicJwk } from "../../core/federation/jwk";
import { generateNodeKey, nodeIdentity } from "../../core/identity/node-identity";
import { auditLog, federationSigningKeys } from "../../db/schema";
import { createTestNode } from "../support/app";
import { createRegulator, registerCarrier, registerShipper } from "../support/fixtures";
import { eventually, movableClock } from "./support";

const HOUR = 3_600_000;
const clock = movableClock();
const node = await createTestNode({ clock, keyGraceHours: 72 });
// A second process of the same node: same database, same node key, its own keyring.
const sibling = await createTestNode({
  database: node.database,
  identity: node.identity,
  clock,
  keyringRefreshMs: 300,
});

const wellKnownKids = async (n = node) => {
  const res = await n.call("GET", "/.well-known/caravan-node");
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.jwks.keys as { kid: string }[]).map((k) => k.kid);
};
const signers = async (n = node) => {
  const ctx = systemCtxFactory(n.parts)("test");
  return (await n.parts.federation.keys.live(ctx)).signers;
};
const rotate = () => node.call("POST", "/v1/node/keys/rotate", { key: node.adminKey });

describe("signing keys", () => {
  it("on first start, the node key is the one signing key, kept by its public half only", async () => {
    expect(await wellKnownKids()).toEqual([node.identity.kid]);
    const rows = await node.database.db.select().from(federationSigningKeys);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kid: node.identity.kid, sealedPrivateKey: null });
    const adopted = await node.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "node.signing_key_adopted"));
    expect(adopted).toHaveLength(1);
  });

  it("a rotation publishes a new key that signs; the old one stays for the grace period", async () => {
    const before = clock.now().getTime();
    const res = await rotate();
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { kid, keys } = res.body as {
      kid: string;
      keys: { kid: string; x: string; retiresAt: string | null }[];
    };
    expect(kid).not.toBe(node.identity.kid);
    expect(keys.map((k) => k.kid)).toEqual([kid, node.identity.kid]);
    expect(keys[0]?.retiresAt).toBeNull();
    const retiresAt = Date.parse(keys[1]?.retiresAt ?? "");
    expect(retiresAt - before).toBeGreaterThanOrEqual(72 * HOUR);
    expect(retiresAt - before).toBeLessThan(72 * HOUR + 10_000);
    expect(await wellKnownKids()).toEqual([kid, node.identity.kid]);

    // The new key signs first; the old one still signs (both sign during a rotation).
    const [current, previous] = await signers();
    expect([current?.kid, previous?.kid]).toEqual([kid, node.identity.kid]);
    const data = Buffer.from("msg_1.1767225600.{}");
    const signature = current?.sign?.(data) ?? Buffer.alloc(0);
    expect(verify(null, data, importPublicJwk({ x: keys[0]?.x ?? "" }), signature)).toBe(true);

    const [entry] = await node.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "node.signing_key_rotated"));
    expect(entry).toMatchObject({ actorKind: "admin", entityId: kid });
  });

  it("another process of the node sees the rotation within seconds, and signs with it", async () => {
    const res = await rotate();
    expect(res.status).toBe(201);
    const seen = await eventually(
      async () => (await wellKnownKids(sibling))[0] === res.body.kid,
      5_000,
    );
    expect(seen).toBe(true);
    expect((await signers(sibling))[0]?.kid).toBe(res.body.kid);
  });

  it("keeps rotated keys' private halves sealed: not in the clear, not usable under another node key", async () => {
    const rows = await node.database.db.select().from(federationSigningKeys);
    const sealed = rows.filter((r) => r.sealedPrivateKey !== null);
    expect(sealed.length).toBeGreaterThan(0);
    for (const row of sealed) expect(row.sealedPrivateKey).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);

    // A process given another node key publishes the same keys but can sign with none of them.
    const stranger = await createTestNode({
      database: node.database,
      identity: await nodeIdentity(generateNodeKey()),
      clock,
    });
    expect(await wellKnownKids(stranger)).toEqual(await wellKnownKids());
    expect(await signers(stranger)).toEqual([]);
  });

  it("after the grace period the old keys are neither published nor used", async () => {
    const current = (await wellKnownKids())[0];
    clock.advance(72 * HOUR + 1);
    expect(await wellKnownKids()).toEqual([current]);
    expect((await signers()).map((k) => k.kid)).toEqual([current]);
  });

  it("leaves the node key and its audit proofs as they were", async () => {
    expect((await signers()).some((k) => k.kid === node.identity.kid)).toBe(false);
    const res = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.ok).toBe(true);
  });

  it("concurrent rotations leave exactly one current key", async () => {
    const results = await Promise.all([rotate(), rotate(), rotate()]);
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(201);
    const current = await node.database.db
      .select()
      .from(federationSigningKeys)
      .where(isNull(federationSigningKeys.retiresAt));
    expect(current).toHaveLength(1);
  });
});

describe("many rotations", () => {
  it("publish at most four keys: a rotation retires the oldest beyond them at once", async () => {
    const kids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await rotate();
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      kids.push(res.body.kid);
    }
    expect(await wellKnownKids()).toEqual(kids.slice(-4).reverse());
    expect((await signers()).map((k) => k.kid)).toEqual(kids.slice(-4).reverse());
  });
});

describe("who may rotate", () => {
  const keys = {
    shipper: async () => (await registerShipper(node)).key,
    carrier: async () => (await registerCarrier(node)).key,
    regulator: async () => (await createRegulator(node)).key,
    nobody: async () => undefined,
  };
  it.each([
    ["shipper", 403, "FORBIDDEN"],
    ["carrier", 403, "FORBIDDEN"],
    ["regulator", 403, "FORBIDDEN"],
    ["nobody", 401, "UNAUTHORIZED"],
  ] as const)("a %s may not (%i)", async (who, status, code) => {
    const before = await wellKnownKids();
    const key: string | undefined = await keys[who]();
    const res = await node.call("POST", "/v1/node/keys/rotate", { key });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await wellKnownKids()).toEqual(before);
  });
});
