import { type KeyObject, verify as verifyEd25519 } from "node:crypto";
import { eq } from "drizzle-orm";
import { selectAllSigningKeys, selectPartners } from "../../db/queries/federation";
import { type WaybillEvent, waybillEvents } from "../../db/schema";
import type { Ctx } from "../context";
import { importPublicJwk } from "../federation/jwk";
import { chainOrder, headHash, recorderCode } from "./integrity";
import { fingerprint } from "./lifecycle";
import { findVisibleWaybill } from "./read";

/** Why an event fails verification. */
export const EVENT_FAULTS = [
  "unsigned",
  "unknown_recorder",
  "unknown_key",
  "bad_signature",
  "content_mismatch",
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

type Fault = { reason: EventFault; message: string };

/** Why an event's recorder signature over its canonical text does not hold, or null. */
function signatureFault(e: WaybillEvent, text: string, trusted: TrustedKeys): Fault | null {
  if (!e.recordedBy || !e.signatureKid || !e.signature) {
    return { reason: "unsigned", message: "the event carries no recorder signature" };
  }
  const keys = trusted.get(e.recordedBy);
  if (!keys) {
    return {
      reason: "unknown_recorder",
      message: `${e.recordedBy} is neither this node nor a registered partner`,
    };
  }
  const key = keys.get(e.signatureKid);
  if (!key) {
    return {
      reason: "unknown_key",
      message: `${e.recordedBy} has no key ${e.signatureKid} known here`,
    };
  }
  if (!verifyEd25519(null, Buffer.from(text, "utf8"), key, Buffer.from(e.signature, "base64url"))) {
    return {
      reason: "bad_signature",
      message: `the signature of ${e.recordedBy} does not match the event`,
    };
  }
  return null;
}

/**
 * Whether the signed fingerprint still matches the event's content. Another node's event with
 * no details is let be: its details may have been withheld from this node by the agreement.
 */
function contentFault(e: WaybillEvent, ownCode: string): Fault | null {
  if (fingerprint(e) === e.fingerprint) return null;
  if (e.recordedBy !== ownCode && Object.keys(e.details).length === 0) return null;
  return {
    reason: "content_mismatch",
    message: "the event's type, time, place or details differ from what was signed",
  };
}

function badEvent(e: WaybillEvent, position: number, why: Fault): BadEvent {
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
  const ownCode = recorderCode(ctx);
  let firstBadEvent: BadEvent | null = null;
  for (const [position, { event, text }] of chainOrder(rows).entries()) {
    const why = signatureFault(event, text, trusted) ?? contentFault(event, ownCode);
    if (why) {
      firstBadEvent = badEvent(event, position, why);
      break;
    }
  }
  return {
    ok: firstBadEvent === null,
    events: rows.length,
    headHash: headHash(rows),
    firstBadEvent,
  };
}
