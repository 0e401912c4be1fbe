import { createHash, randomBytes } from "node:crypto";

const KEY_PREFIX = "cvn_";

/** A new API key: 192 random bits, base64url, with a recognisable prefix for secret scanners. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(24).toString("base64url");
}

/** A whole key as issued (not a listing's prefix): 32 base64url characters after `cvn_`. */
export function isApiKey(value: string): boolean {
  return /^cvn_[A-Za-z0-9_-]{32}$/.test(value);
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** What listings show: enough to tell keys apart, too little to use. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}
