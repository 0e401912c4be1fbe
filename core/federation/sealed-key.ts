import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  type KeyObject,
  randomBytes,
} from "node:crypto";

/**
 * A private key kept in the database sealed with AES-256-GCM under the node's sealing key:
 * `v1.<iv>.<ciphertext>.<tag>`, base64url, with the key's `kid` as associated data so a
 * sealed half moved onto another row does not open.
 */
const VERSION = "v1";

export function sealPrivateKey(sealingKey: KeyObject, kid: string, key: KeyObject): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey, iv);
  cipher.setAAD(Buffer.from(kid));
  const der = key.export({ format: "der", type: "pkcs8" });
  const body = Buffer.concat([cipher.update(der), cipher.final()]);
  const parts = [iv, body, cipher.getAuthTag()].map((b) => b.toString("base64url"));
  return [VERSION, ...parts].join(".");
}

/** The private key, or null when it was sealed under another node key (or altered). */
export function openPrivateKey(
  sealingKey: KeyObject,
  kid: string,
  sealed: string,
): KeyObject | null {
  const [version, iv, body, tag, extra] = sealed.split(".");
  if (version !== VERSION || !iv || !body || !tag || extra !== undefined) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const der = Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } catch {
    return null;
  }
}
