import { createHash } from "node:crypto";
import type { Place, WaybillState } from "../../db/schema";
import { canonicalJson } from "../canonical";

/**
 * The waybill state machine. A repeated state (another `in_transit` position report) is
 * accepted and changes nothing; an exception can resume the journey at any point.
 */
export const TRANSITIONS: Readonly<Record<WaybillState, readonly WaybillState[]>> = {
  created: ["picked_up", "exception", "cancelled"],
  picked_up: ["in_transit", "at_border", "delivered", "exception"],
  in_transit: ["at_border", "transshipped", "delivered", "exception"],
  at_border: ["cleared", "exception"],
  cleared: ["in_transit", "transshipped", "delivered", "exception"],
  transshipped: ["in_transit", "at_border", "delivered", "exception"],
  delivered: ["pod_confirmed", "exception"],
  pod_confirmed: [],
  exception: [
    "picked_up",
    "in_transit",
    "at_border",
    "cleared",
    "transshipped",
    "delivered",
    "cancelled",
  ],
  cancelled: [],
};

const RANK: Record<WaybillState, number> = {
  created: 0,
  picked_up: 1,
  in_transit: 2,
  at_border: 3,
  cleared: 4,
  transshipped: 5,
  delivered: 6,
  pod_confirmed: 7,
  exception: 8,
  cancelled: 9,
};

export interface TrackingEvent {
  type: WaybillState;
  occurredAt: Date;
  location: Place | null;
  details: Record<string, unknown>;
}

export function canTransition(from: WaybillState, to: WaybillState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/** Identity of an event: the same report sent twice is one event. */
export function fingerprint(e: TrackingEvent): string {
  return createHash("sha256")
    .update(
      canonicalJson({
        type: e.type,
        occurredAt: e.occurredAt.toISOString(),
        location: e.location,
        details: e.details,
      }),
    )
    .digest("hex")
    .slice(0, 32);
}

/** Occurrence time, then lifecycle rank, then fingerprint: a total order on distinct events. */
function compareEvents(a: TrackingEvent, b: TrackingEvent): number {
  const t = a.occurredAt.getTime() - b.occurredAt.getTime();
  if (t !== 0) return t;
  const r = RANK[a.type] - RANK[b.type];
  if (r !== 0) return r;
  const fa = fingerprint(a);
  const fb = fingerprint(b);
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

export interface Replay {
  status: WaybillState;
  /** Events that did not apply where they fall in the order (fingerprints). */
  ignored: string[];
  /** The state just before each event, by fingerprint. */
  before: Map<string, WaybillState>;
}

/**
 * The status as a pure function of the set of events: duplicates collapse, the order is the
 * total order above, and an event that is not a legal transition where it falls is ignored.
 * Arrival order and repeats therefore cannot change the result.
 */
export function replay(events: readonly TrackingEvent[]): Replay {
  const unique = new Map<string, TrackingEvent>();
  for (const e of events) unique.set(fingerprint(e), e);
  const ordered = [...unique.values()].sort(compareEvents);
  let status: WaybillState = "created";
  const ignored: string[] = [];
  const before = new Map<string, WaybillState>();
  for (const e of ordered) {
    const f = fingerprint(e);
    before.set(f, status);
    if (canTransition(status, e.type)) status = e.type;
    else ignored.push(f);
  }
  return { status, ignored, before };
}
