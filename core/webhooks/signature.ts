import { createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";

/** A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export function newWebhookSecret(): string {
  return PREFIX + randomBytes(24).toString("base64");
}

/** A whole signing secret as issued: 32 base64 characters after `whsec_`. */
export function isWebhookSecret(value: string): boolean {
  return /^whsec_[A-Za-z0-9+/]{32}$/.test(value);
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
}

/**
 * The `webhook-signature` header value: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`
 * keyed with the decoded secret (Standard Webhooks, symmetric scheme).
 */
export function signWebhook(input: {
  secret: string;
  id: string;
  timestamp: number;
  body: string;
}): string {
  const mac = createHmac("sha256", keyOf(input.secret))
    .update(`${input.id}.${input.timestamp}.${input.body}`)
    .digest("base64");
  return `v1,${mac}`;
}
