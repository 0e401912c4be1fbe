import { calculateJwkThumbprint, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "../../core/federation/vocabulary";
import { createTestNode } from "../support/app";

const node = await createTestNode({ nodeCode: "GS" });

describe("GET /.well-known/caravan-node", () => {
  it("needs no key and describes the node", async () => {
    const res = await node.call("GET", "/.well-known/caravan-node");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(Object.keys(res.body).sort()).toEqual(
      ["code", "jwks", "kind", "name", "protocolVersion"].sort(),
    );
    expect(res.body).toMatchObject({
      code: "GS",
      name: "Caravan test node GS",
      kind: "regional",
      protocolVersion: PROTOCOL_VERSION,
    });
  });

  it("publishes RFC 8037 Ed25519 public keys named by their RFC 7638 thumbprint", async () => {
    await node.call("POST", "/v1/node/keys/rotate", { key: node.adminKey });
    const res = await node.call("GET", "/.well-known/caravan-node");
    const keys = res.body.jwks.keys as Record<string, string>[];
    expect(keys).toHaveLength(2);
    for (const jwk of keys) {
      // Exactly the public members: nothing private (`d`), nothing else.
      expect(Object.keys(jwk).sort()).toEqual(["crv", "kid", "kty", "x"]);
      expect(jwk.kty).toBe("OKP");
      expect(jwk.crv).toBe("Ed25519");
      expect(jwk.x).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(jwk.x ?? "", "base64url")).toHaveLength(32);
      const { kty, crv, x } = jwk;
      expect(jwk.kid).toBe(await calculateJwkThumbprint({ kty, crv, x }, "sha256"));
      await expect(importJWK(jwk, "EdDSA")).resolves.toBeDefined();
    }
    expect(keys.map((k) => k.kid)).toContain(node.identity.kid);
  });

  it("is in the OpenAPI document", async () => {
    const doc = await node.call("GET", "/openapi.json");
    expect(doc.body.paths["/.well-known/caravan-node"]?.get).toBeDefined();
  });
});
