import { and, eq, max } from "drizzle-orm";
import { insertWaybillEvent, setWaybillStatus } from "../../db/queries/waybills";
import {
  type Place,
  type Waybill,
  type WaybillLeg,
  type WaybillState,
  waybillEvents,
  waybillLegs,
  waybills,
} from "../../db/schema";
import type { RoutingEngine } from "../../routing/engine";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from "../errors";
import { shareWithPartners } from "../federation/outbox";
import { emitFeed } from "../feed/emit";
import { resolvePlace } from "../marketplace/places";
import { withTransaction } from "../transaction";
import { partyEvents } from "./create";
import { signEvent } from "./integrity";
import { canTransition, fingerprint, replay, TRANSITIONS, type TrackingEvent } from "./lifecycle";
import { parseWaybillNumber } from "./number";
import { type WaybillEventView, waybillEventView } from "./view";

export interface EventInput {
  type: WaybillState;
  occurredAt: string;
  location?: string | { lat: number; lon: number; address?: string };
  details?: Record<string, unknown>;
}

const SHIPPER_TYPES: readonly WaybillState[] = ["pod_confirmed", "cancelled", "exception"];

/**
 * The leg in progress when an event occurred: each `transshipped` event before it hands the
 * cargo to the next leg. Counting by occurrence time (not arrival) keeps a late report of
 * an earlier stretch with the carrier who ran that stretch.
 */
export function currentLegAt<L extends { seq: number }>(
  legs: readonly L[],
  transshipments: readonly Date[],
  at: Date,
): L | undefined {
  if (legs.length === 0) return undefined;
  const sorted = [...legs].sort((a, b) => a.seq - b.seq);
  const handed = transshipments.filter((t) => t.getTime() < at.getTime()).length;
  return sorted[Math.min(handed, sorted.length - 1)];
}

/**
 * Who may report what: the carrier of the leg in progress tracks the journey, the shipper
 * confirms delivery (and may cancel or raise an exception), admins and the node may do all.
 */
async function requireReporter(
  ctx: Ctx,
  w: Waybill,
  event: { type: WaybillState; occurredAt: Date },
): Promise<void> {
  const actor = ctx.actor;
  const type = event.type;
  if (type === "created") {
    throw new UnprocessableError(
      "`created` is recorded by the node when it issues the waybill",
      [{ path: "type", message: "not reportable" }],
      "NOT_REPORTABLE",
    );
  }
  if (actor.kind === "admin" || actor.kind === "system") return;
  if (!("orgId" in actor)) throw NotFoundError.of("waybill", w.number);
  const legs = await ctx.db
    .select({ seq: waybillLegs.seq, carrierId: waybillLegs.carrierId, mode: waybillLegs.mode })
    .from(waybillLegs)
    .where(eq(waybillLegs.waybillNumber, w.number));
  const isCarrier = w.carrierId === actor.orgId || legs.some((l) => l.carrierId === actor.orgId);
  const isShipper = w.shipperId === actor.orgId;
  if (!isCarrier && !isShipper) {
    if (actor.kind === "regulator") throw new ForbiddenError("regulators may read but not write");
    throw NotFoundError.of("waybill", w.number);
  }
  if (isShipper && SHIPPER_TYPES.includes(type)) return;
  if (isShipper && !isCarrier) {
    throw new ForbiddenError(
      `the shipper reports only ${SHIPPER_TYPES.join(", ")}; ${type} comes from the carrier`,
      [],
      "NOT_REPORTER",
    );
  }
  if (type === "pod_confirmed" || type === "cancelled") {
    throw new ForbiddenError(`${type} is the shipper's to report`, [], "NOT_REPORTER");
  }
  const transshipments = await ctx.db
    .select({ occurredAt: waybillEvents.occurredAt })
    .from(waybillEvents)
    .where(and(eq(waybillEvents.waybillNumber, w.number), eq(waybillEvents.type, "transshipped")));
  const leg = currentLegAt(
    legs,
    transshipments.map((t) => t.occurredAt),
    event.occurredAt,
  );
  const carrierNow = leg?.carrierId ?? w.carrierId;
  if (carrierNow !== actor.orgId) {
    const which = leg ? `leg ${leg.seq} of ${legs.length} (${leg.mode})` : "the journey";
    throw new ForbiddenError(
      `at ${event.occurredAt.toISOString()} ${which} is another carrier's; only the carrier of the current leg reports its events`,
      [{ path: "occurredAt", message: "falls in another carrier's leg" }],
      "NOT_CURRENT_CARRIER",
    );
  }
}

function place(network: RoutingEngine, input: EventInput["location"]): Place | null {
  if (input === undefined) return null;
  if (typeof input === "string") return resolvePlace(network, "location", input);
  return { lat: input.lat, lon: input.lon, ...(input.address ? { address: input.address } : {}) };
}

export interface AppendResult {
  event: WaybillEventView;
  status: WaybillState;
  duplicate: boolean;
}

/**
 * `POST /v1/waybills/{no}/events`: appends a tracking event. The status is recomputed from the
 * whole event set; an event that is no legal transition where it falls in time, or that would
 * make earlier-accepted events illegal, is refused with the transitions that are allowed.
 * The same event sent twice is accepted once.
 */
export async function appendWaybillEvent(
  ctx: Ctx,
  input: { number: string; event: EventInput },
): Promise<AppendResult> {
  const number = parseWaybillNumber(input.number);
  return withTransaction(ctx, async (tx) => {
    const w = await lockWaybill(tx, number);
    const occurredAt = new Date(input.event.occurredAt);
    await requireReporter(tx, w, { type: input.event.type, occurredAt });
    const event: TrackingEvent = {
      type: input.event.type,
      occurredAt,
      location: place(tx.network, input.event.location),
      details: input.event.details ?? {},
    };
    const fp = fingerprint(event);
    const latest = await latestOccurrence(tx, number);
    let status: WaybillState;
    if (latest !== null && occurredAt.getTime() > latest.getTime()) {
      status = statusAfterLatest(w.status, event);
    } else {
      const rows = await tx.db
        .select()
        .from(waybillEvents)
        .where(eq(waybillEvents.waybillNumber, number));
      const same = rows.find((r) => r.fingerprint === fp);
      if (same) {
        return { event: waybillEventView(same, "sensitive"), status: w.status, duplicate: true };
      }
      status = statusWith(rows, event, fp);
    }
    const row = await insertWaybillEvent(tx.db, {
      waybillNumber: number,
      ...event,
      fingerprint: fp,
      reportedBy: "orgId" in tx.actor ? tx.actor.orgId : null,
      recordedAt: tx.clock.now(),
      ...(await signEvent(tx, { waybillNumber: number, ...event, fingerprint: fp })),
    });
    if (status !== w.status) await changeStatus(tx, w, status, event.type);
    await shareWithPartners(tx, {
      waybill: { ...w, status },
      legs: (c) => selectLegs(c, number),
      items: [{ type: "event", event: row }],
      origin: tx.nodeCode ?? "XJ",
    });
    recordAudit(tx, {
      action: "waybill.event_recorded",
      entityType: "waybill",
      entityId: number,
      data: { ...input.event, status },
    });
    return { event: waybillEventView(row, "sensitive"), status, duplicate: false };
  });
}

function selectLegs(ctx: Ctx, number: string): Promise<WaybillLeg[]> {
  return ctx.db.select().from(waybillLegs).where(eq(waybillLegs.waybillNumber, number));
}

async function lockWaybill(ctx: Ctx, number: string): Promise<Waybill> {
  const [w] = await ctx.db.select().from(waybills).where(eq(waybills.number, number)).for("update");
  if (!w) throw NotFoundError.of("waybill", number);
  return w;
}

/** The latest occurrence among the waybill's events, or null when it has none. */
async function latestOccurrence(ctx: Ctx, number: string): Promise<Date | null> {
  const [row] = await ctx.db
    .select({ at: max(waybillEvents.occurredAt) })
    .from(waybillEvents)
    .where(eq(waybillEvents.waybillNumber, number));
  return row?.at ?? null;
}

/**
 * The status once `event`, later than every event recorded, joins them. The status held is
 * the replay of those events and a replay ends with the latest, so the new one moves it by
 * exactly one transition: nothing to read or replay. (Replaying the whole history per event
 * made a request cost more the longer a waybill travelled.)
 */
function statusAfterLatest(held: WaybillState, event: TrackingEvent): WaybillState {
  if (canTransition(held, event.type)) return event.type;
  throw invalidTransition(held, event.type);
}

function invalidTransition(from: WaybillState, to: WaybillState): ConflictError {
  const allowed = TRANSITIONS[from];
  return new ConflictError(
    `cannot go from ${from} to ${to}; allowed: ${allowed.join(", ") || "none (final state)"}`,
    allowed.map((a) => ({ path: "type", message: `allowed: ${a}` })),
    "INVALID_TRANSITION",
  );
}

/**
 * The status once `event` joins those recorded, refusing an event that is no legal
 * transition where it falls or that would make later-recorded events illegal.
 */
function statusWith(
  recorded: readonly TrackingEvent[],
  event: TrackingEvent,
  fp: string,
): WaybillState {
  const existing: TrackingEvent[] = recorded.map((r) => ({
    type: r.type,
    occurredAt: r.occurredAt,
    location: r.location,
    details: r.details,
  }));
  const before = replay(existing);
  const after = replay([...existing, event]);
  if (after.ignored.includes(fp)) {
    throw invalidTransition(after.before.get(fp) ?? before.status, event.type);
  }
  if (after.ignored.length > before.ignored.length) {
    throw new ConflictError(
      `a ${event.type} event at ${event.occurredAt.toISOString()} contradicts events already recorded after it`,
      [{ path: "occurredAt", message: "conflicts with later events" }],
      "INVALID_TRANSITION",
    );
  }
  return after.status;
}

/**
 * The waybill's new status, and every party told of it. A replica's parties are its home
 * node's organisations, told there.
 */
export async function changeStatus(
  tx: Ctx & { tx: object },
  w: Waybill,
  to: WaybillState,
  eventType: WaybillState,
): Promise<void> {
  await setWaybillStatus(tx.db, w.number, to, tx.clock.now());
  if (w.homeNode !== null) return;
  const legs = await tx.db
    .select({ carrierId: waybillLegs.carrierId })
    .from(waybillLegs)
    .where(eq(waybillLegs.waybillNumber, w.number));
  await emitFeed(
    tx,
    partyEvents(w, legs, "waybill.status_changed", {
      number: w.number,
      from: w.status,
      to,
      eventType,
    }),
  );
}
