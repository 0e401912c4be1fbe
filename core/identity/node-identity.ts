import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  sign as signEd25519,
} from "node:crypto";
import { CompactSign, calculateJwkThumbprint, compactVerify, exportJWK, type JWK } from "jose";

/**
 * The node's Ed25519 identity: it signs what the node vouches for (audit checkpoints now;
 * federation messages later) and proves the audit entries it writes.
 *
 * Keys are named by `kid`, the RFC 7638 thumbprint of the public JWK, so a published key
 * set (and, with rotation, several keys) can tell signers apart.
 */
export interface NodeIdentity {
  readonly kid: string;
  /** The public key as a JWK (`kty: OKP`, `crv: Ed25519`), with its `kid`, `alg` and `use`. */
  readonly publicJwk: JWK;
  readonly publicKey: KeyObject;
  /** A compact JWS (EdDSA) of `payload`, its header naming this key's `kid`. */
  sign(payload: Uint8Array, typ: string): Promise<string>;
  /** The payload of a compact JWS if this key signed it, else null. */
  verify(jws: string): Promise<Uint8Array | null>;
  /** HMAC-SHA256 of `content` under the node's audit secret, base64url. */
  auditMac(content: string): string;
  /** A raw Ed25519 signature of `data` (federation messages, Standard Webhooks `v1a`). */
  signBytes(data: Uint8Array): Buffer;
  /**
   * An AES-256 key HKDF-derived from the node key, apart from the audit secret: it seals the
   * private halves of further signing keys kept in the database.
   */
  readonly sealingKey: KeyObject;
}

const AUDIT_SECRET_INFO = "caravan audit entry proof v1";
const SEALING_KEY_INFO = "caravan signing key seal v1";

/**
 * The audit secret is derived from the private key (HKDF-SHA256) rather than kept apart:
 * the node has one secret to keep and back up, processes that share `CARAVAN_NODE_KEY`
 * accept each other's entries, and the secret never enters the database, so its
 * superuser cannot forge an entry's proof. The private key must therefore never be stored
 * in the database: the federation key table keeps this key's public half only, and the
 * private halves of later keys sealed under `sealingKey` (core/federation/signing-keys.ts).
 */
function derivedSecret(privateKey: KeyObject, info: string): Buffer {
  const { d } = privateKey.export({ format: "jwk" });
  if (!d) throw new Error("node key has no private part");
  const seed = Buffer.from(d, "base64url");
  return Buffer.from(hkdfSync("sha256", seed, "caravan", info, 32));
}

export async function nodeIdentity(privateKey: KeyObject): Promise<NodeIdentity> {
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "ed25519") {
    throw new Error("the node key must be an Ed25519 private key");
  }
  const publicKey = createPublicKey(privateKey);
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  // Imported once: a KeyObject spares each entry's HMAC from copying the raw key.
  const macKey = createSecretKey(derivedSecret(privateKey, AUDIT_SECRET_INFO));
  const sealingKey = createSecretKey(derivedSecret(privateKey, SEALING_KEY_INFO));
  return {
    kid,
    publicJwk: { ...jwk, kid, alg: "EdDSA", use: "sig" },
    publicKey,
    sign: (payload, typ) =>
      new CompactSign(payload).setProtectedHeader({ alg: "EdDSA", kid, typ }).sign(privateKey),
    async verify(jws) {
      try {
        const { payload, protectedHeader } = await compactVerify(jws, publicKey, {
          algorithms: ["EdDSA"],
        });
        return protectedHeader.kid === kid ? payload : null;
      } catch {
        return null;
      }
    },
    auditMac: (content) => createHmac("sha256", macKey).update(content).digest("base64url"),
    signBytes: (data) => signEd25519(null, data, privateKey),
    sealingKey,
  };
}

export function generateNodeKey(): KeyObject {
  return generateKeyPairSync("ed25519").privateKey;
}

/** The `CARAVAN_NODE_KEY` form of a key: its PKCS#8 DER encoding in base64url. */
export function encodeNodeKey(privateKey: KeyObject): string {
  return privateKey.export({ format: "der", type: "pkcs8" }).toString("base64url");
}

/**
 * Reads a node key as `CARAVAN_NODE_KEY` gives it: PKCS#8 DER in base64url (or base64), a
 * PKCS#8 PEM block, or a private JWK (`{"kty":"OKP","crv":"Ed25519","d":…,"x":…}`).
 * Throws with a message fit for the operator.
 */
export function parseNodeKey(text: string): KeyObject {
  const value = text.trim();
  let key: KeyObject;
  try {
    if (value.startsWith("{")) {
      key = createPrivateKey({ key: JSON.parse(value), format: "jwk" });
    } else if (value.startsWith("-----BEGIN")) {
      key = createPrivateKey({ key: value, format: "pem" });
    } else {
      key = createPrivateKey({
        key: Buffer.from(
          value,
          value.includes("+") || value.includes("/") ? "base64" : "base64url",
        ),
        format: "der",
        type: "pkcs8",
      });
    }
  } catch {
    throw new Error("not a private key (expected base64url PKCS#8, PEM or a private JWK)");
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(`an Ed25519 key is required, got ${key.asymmetricKeyType ?? "another kind"}`);
  }
  return key;
}
