import { type KeyObject, verify as verifyEd25519 } from "node:crypto";
import { eq } from "drizzle-orm";
import { selectAllSigningKeys, selectPartners } from "../../db/queries/federation";
import { type WaybillEvent, waybillEvents } from "../../db/schema";
import type { Ctx } from "../context";
import { importPublicJwk } from "../federation/jwk";
import { canonicalEvent, chainOrder, headHash, recorderCode } from "./integrity";
import { findVisibleWaybill } from "./read";

/** Why an event fails verification. */
export const EVENT_FAULTS = [
  "unsigned",
  "unknown_recorder",
  "unknown_key",
  "bad_signature",
] as const;
export type EventFault = (typeof EVENT_FAULTS)[number];

export interface BadEvent {
  /** Its place in the chain's order, from 0. */
  position: number;
  id: number;
  type: WaybillEvent["type"];
  occurredAt: string;
  recordedBy: string | null;
  signatureKid: string | null;
  reason: EventFault;
  message: string;
}

export interface WaybillVerification {
  ok: boolean;
  /** How many events were checked. */
  events: number;
  headHash: string;
  firstBadEvent: BadEvent | null;
}

/** Public keys by node code, then by kid: this node's (retired ones too) and each partner's. */
type TrustedKeys = Map<string, Map<string, KeyObject>>;

function keysByKid(jwks: readonly { kid: string; x: string }[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks) {
    try {
      keys.set(jwk.kid, importPublicJwk(jwk));
    } catch {
      // A malformed registered key verifies nothing; events naming it fail as unknown_key.
    }
  }
  return keys;
}

async function trustedKeys(ctx: Ctx): Promise<TrustedKeys> {
  const [own, partners] = await Promise.all([selectAllSigningKeys(ctx.db), selectPartners(ctx.db)]);
  const trusted: TrustedKeys = new Map();
  for (const p of partners) trusted.set(p.code, keysByKid(p.jwks.keys));
  // This node's own keys win over a partner registered under the same code.
  trusted.set(recorderCode(ctx), keysByKid(own.map((k) => k.publicJwk)));
  return trusted;
}

/** Why an event's signature does not hold, or null when it does. */
function fault(
  e: WaybillEvent,
  trusted: TrustedKeys,
): { reason: EventFault; message: string } | null {
  if (!e.recordedBy || !e.signatureKid || !e.signature) {
    return { reason: "unsigned", message: "the event carries no recorder signature" };
  }
  const keys = trusted.get(e.recordedBy);
  if (!keys) {
    return {
      reason: "unknown_recorder",
      message: `${e.recordedBy} is neither this node nor a partner`,
    };
  }
  const key = keys.get(e.signatureKid);
  if (!key) {
    return {
      reason: "unknown_key",
      message: `${e.recordedBy} has no key ${e.signatureKid} known here`,
    };
  }
  const data = Buffer.from(canonicalEvent(e), "utf8");
  if (!verifyEd25519(null, data, key, Buffer.from(e.signature, "base64url"))) {
    return {
      reason: "bad_signature",
      message: `the signature of ${e.recordedBy} does not match the event's content`,
    };
  }
  return null;
}

function badEvent(
  e: WaybillEvent,
  position: number,
  why: { reason: EventFault; message: string },
): BadEvent {
  return {
    position,
    id: e.id,
    type: e.type,
    occurredAt: e.occurredAt.toISOString(),
    recordedBy: e.recordedBy,
    signatureKid: e.signatureKid,
    ...why,
  };
}

/**
 * `GET /v1/waybills/{no}/verify`: checks every event's recorder signature, in the chain's
 * order, and gives the head hash over the event set, which any node holding the same events
 * computes the same. Visible to whoever may read the waybill.
 */
export async function verifyWaybill(
  ctx: Ctx,
  input: { number: string },
): Promise<WaybillVerification> {
  const { waybill } = await findVisibleWaybill(ctx, input.number);
  const rows = await ctx.db
    .select()
    .from(waybillEvents)
    .where(eq(waybillEvents.waybillNumber, waybill.number));
  const trusted = await trustedKeys(ctx);
  const ordered = chainOrder(rows);
  let firstBadEvent: BadEvent | null = null;
  for (const [position, e] of ordered.entries()) {
    const why = fault(e, trusted);
    if (why) {
      firstBadEvent = badEvent(e, position, why);
      break;
    }
  }
  return {
    ok: firstBadEvent === null,
    events: rows.length,
    headHash: headHash(ordered),
    firstBadEvent,
  };
}
