import { createPublicKey, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, exportJWK } from "jose";
import type { PublicJwk } from "../../db/schema/federation";

/**
 * An Ed25519 public key as RFC 8037 writes it (`kty`, `crv`, `x`), with `kid` its RFC 7638
 * thumbprint, as `/.well-known/caravan-node` publishes it and partners register it.
 */
export async function publicJwkOf(key: KeyObject): Promise<PublicJwk> {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== "ed25519") throw new Error("an Ed25519 key is required");
  const { x } = await exportJWK(publicKey);
  if (!x) throw new Error("the key has no public part");
  return { kty: "OKP", crv: "Ed25519", x, kid: await thumbprintOf(x) };
}

/** RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key's `x`. */
export function thumbprintOf(x: string): Promise<string> {
  return calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x }, "sha256");
}

/** The key a published JWK stands for, or an Error naming why it is not one. */
export function importPublicJwk(jwk: { x: string }): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" });
}
