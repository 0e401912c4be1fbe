import { verify as verifyEd25519 } from "node:crypto";
import { selectPartner } from "../../db/queries/federation";
import type { FederationPartner } from "../../db/schema/federation";
import type { Ctx } from "../context";
import { UnauthorizedError } from "../errors";
import { importPublicJwk } from "./jwk";

/** How far a batch's `webhook-timestamp` may be from this node's clock. */
const TIMESTAMP_TOLERANCE_S = 5 * 60;

export interface SignedBatch {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  /** The body exactly as received: the signature covers these bytes. */
  body: string;
}

/** The sender named by the body, read before anything in it is trusted. */
function claimedSender(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      parsed &&
      typeof parsed === "object" &&
      "from" in parsed &&
      typeof parsed.from === "string"
    ) {
      return parsed.from;
    }
  } catch {
    // Fall through: an unreadable body names no sender.
  }
  throw new UnauthorizedError("the batch names no sender");
}

/** Whether one of the `v1a,` signatures verifies under one of the partner's keys. */
function signedByPartner(partner: FederationPartner, signed: Buffer, header: string): boolean {
  const signatures = header
    .split(" ")
    .filter((s) => s.startsWith("v1a,"))
    .map((s) => Buffer.from(s.slice(4), "base64"));
  for (const jwk of partner.jwks.keys) {
    let key: ReturnType<typeof importPublicJwk>;
    try {
      key = importPublicJwk(jwk);
    } catch {
      continue;
    }
    if (signatures.some((sig) => sig.length === 64 && verifyEd25519(null, signed, key, sig))) {
      return true;
    }
  }
  return false;
}

/**
 * The partner that signed a batch, or 401: the sender must be a registered, active partner,
 * the timestamp within five minutes, and one signature valid under one of its keys over
 * `{id}.{timestamp}.{body}` (Standard Webhooks, asymmetric `v1a`).
 */
export function authenticateBatch(ctx: Ctx, batch: SignedBatch): Promise<FederationPartner> {
  return authenticateSigned(ctx, {
    id: batch.id,
    timestamp: batch.timestamp,
    signature: batch.signature,
    sender: batch.id && batch.timestamp && batch.signature ? claimedSender(batch.body) : "",
    payload: batch.body,
  });
}

/**
 * The partner that signed a request, or 401: `payload` is what the signature covers after
 * `{id}.{timestamp}.` (a batch's body, or a feed request's path and query).
 */
export async function authenticateSigned(
  ctx: Ctx,
  request: Omit<SignedBatch, "body"> & { sender: string | undefined; payload: string },
): Promise<FederationPartner> {
  const { id, timestamp, signature, sender } = request;
  if (!id || !timestamp || !signature) {
    throw new UnauthorizedError("webhook-id, webhook-timestamp and webhook-signature are required");
  }
  const partner = sender ? await selectPartner(ctx.db, sender) : undefined;
  if (partner?.status !== "active") {
    throw new UnauthorizedError(`${sender || "the sender"} is not an active partner of this node`);
  }
  const skew = Math.abs(ctx.clock.now().getTime() / 1000 - Number(timestamp));
  if (!/^\d{1,12}$/.test(timestamp) || skew > TIMESTAMP_TOLERANCE_S) {
    throw new UnauthorizedError("webhook-timestamp is more than five minutes off");
  }
  const signed = Buffer.from(`${id}.${timestamp}.${request.payload}`);
  if (!signedByPartner(partner, signed, signature)) {
    throw new UnauthorizedError(`no valid signature of ${partner.code}`);
  }
  return partner;
}
