import { createHash } from "node:crypto";
import type { Place, WaybillState } from "../../db/schema";
import { canonicalJson } from "../canonical";
import { type Ctx, requireFederation } from "../context";

/**
 * Tamper evidence for tracking events: the node that records an event signs its canonical
 * form, and a waybill's history hashes to one head over its event set in one canonical order,
 * so two nodes holding the same events hold the same head hash.
 */

/**
 * What is signed and chained of an event: its content and its recorder, never row ids or
 * insert times. `details` enter through the fingerprint (a hash of type, time, place and
 * details): they are `sensitive` and withheld from partners below that, who must still be
 * able to check the signature and reach the same head hash.
 */
export interface CanonicalEventFields {
  waybillNumber: string;
  type: WaybillState;
  occurredAt: Date;
  location: Place | null;
  fingerprint: string;
  /** Null only for events recorded before events were signed. */
  recordedBy: string | null;
}

export interface EventSignature {
  recordedBy: string;
  signatureKid: string;
  signature: string;
}

/** Where the chain starts: a waybill with no events has this head. */
const CHAIN_ORIGIN = "0".repeat(64);

/** The one canonical form of an event; signatures and the chain are both over this text. */
export function canonicalEvent(e: CanonicalEventFields): string {
  return canonicalJson({
    waybill: e.waybillNumber,
    type: e.type,
    at: e.occurredAt.toISOString(),
    location: e.location,
    fingerprint: e.fingerprint,
    recordedBy: e.recordedBy,
  });
}

/** The code this node records events under (`CARAVAN_NODE_CODE`; the default where absent). */
export function recorderCode(ctx: Ctx): string {
  return ctx.nodeCode ?? "XJ";
}

/** Signs an event this node records, with its current signing key. */
export async function signEvent(
  ctx: Ctx,
  event: Omit<CanonicalEventFields, "recordedBy">,
): Promise<EventSignature> {
  const { signers } = await requireFederation(ctx).keys.live(ctx);
  const [signer] = signers;
  if (!signer?.sign) throw new Error("no signing key this process can sign events with");
  const recordedBy = recorderCode(ctx);
  const data = Buffer.from(canonicalEvent({ ...event, recordedBy }), "utf8");
  return {
    recordedBy,
    signatureKid: signer.kid,
    signature: signer.sign(data).toString("base64url"),
  };
}

/**
 * Events in the chain's order, with their canonical text: occurrence time, then that text, a
 * total order on the canonical forms alone, so it depends on the events held, never on their
 * arrival.
 */
export function chainOrder<E extends CanonicalEventFields>(
  events: readonly E[],
): { event: E; text: string }[] {
  return events
    .map((event) => ({ event, text: canonicalEvent(event), at: event.occurredAt.getTime() }))
    .sort((a, b) => a.at - b.at || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .map(({ event, text }) => ({ event, text }));
}

/** sha256 over (previous head, canonical event) for each event in the chain's order; hex. */
export function headHash(events: readonly CanonicalEventFields[]): string {
  let head = CHAIN_ORIGIN;
  for (const { text } of chainOrder(events)) {
    head = createHash("sha256").update(head).update("\n").update(text).digest("hex");
  }
  return head;
}
