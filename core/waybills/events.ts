import { and, eq, max } from "drizzle-orm";
import { selectActivePartners } from "../../db/queries/federation";
import { insertWaybillEvent, setWaybillStatus } from "../../db/queries/waybills";
import {
  type CarrierRegistration,
  organizations,
  type Place,
  type Waybill,
  type WaybillEvent,
  type WaybillLeg,
  type WaybillState,
  waybillEvents,
  waybillLegs,
  waybills,
} from "../../db/schema";
import type { FederationPartner } from "../../db/schema/federation";
import type { RoutingEngine } from "../../routing/engine";
import { recordAudit } from "../audit/append";
import type { Ctx, OrgActor } from "../context";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from "../errors";
import { shareWithPartners } from "../federation/outbox";
import { emitFeed } from "../feed/emit";
import { resolvePlace } from "../marketplace/places";
import { markForReports } from "../reports/setup";
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
 * How far ahead of the node's clock an event may be dated: reporters' clocks drift, but an
 * event dated later than this has not happened yet and would fix the status in advance.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

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

/** A carrier as a waybill or one of its legs names it. */
interface NamedCarrier {
  carrierId: string;
  carrierRegistration: CarrierRegistration | null;
}

/**
 * Whether the acting organisation is the carrier `c` names. On this node's own waybills it is
 * the organisation by id. A replica names its home node's organisations, so there the actor is
 * a verified carrier of this node registered under the same country and number: null (no
 * carrier of the waybill) for anyone else.
 */
async function carrierMatcher(
  ctx: Ctx,
  actor: OrgActor,
  w: Waybill,
): Promise<((c: NamedCarrier) => boolean) | null> {
  if (w.homeNode === null) return (c) => c.carrierId === actor.orgId;
  if (actor.kind !== "carrier" || actor.orgStatus !== "verified") return null;
  const [own] = await ctx.db
    .select({
      country: organizations.country,
      creditCode: organizations.creditCode,
      registrationNumber: organizations.registrationNumber,
    })
    .from(organizations)
    .where(eq(organizations.id, actor.orgId));
  // A Chinese organisation is registered by its credit code, any other by its number.
  const number = own?.creditCode ?? own?.registrationNumber;
  if (!own || !number) return null;
  return (c) =>
    c.carrierRegistration?.country === own.country && c.carrierRegistration.number === number;
}

/**
 * Who may report what: the carrier of the leg in progress tracks the journey, the shipper
 * confirms delivery (and may cancel or raise an exception), admins and the node may do all.
 * On a replica the carrier is recognised by registration (`carrierMatcher`) and this node
 * holds no shipper of it.
 */
async function requireReporter(
  ctx: Ctx,
  held: HeldWaybill,
  event: { type: WaybillState; occurredAt: Date },
): Promise<void> {
  const { waybill: w, legs } = held;
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
  const matches = await carrierMatcher(ctx, actor, w);
  const isCarrier = matches !== null && (matches(w) || legs.some(matches));
  const isShipper = w.homeNode === null && w.shipperId === actor.orgId;
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
  const leg = currentLegAt(legs, held.transshipments, event.occurredAt);
  if (!matches?.(leg ?? w)) {
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
  const occurredAt = new Date(input.event.occurredAt);
  const latest = ctx.clock.now().getTime() + CLOCK_SKEW_ALLOWANCE_MS;
  if (occurredAt.getTime() > latest) {
    throw ValidationError.field(
      "occurredAt",
      `is in the future: events may be dated at most ${CLOCK_SKEW_ALLOWANCE_MS / 60_000} minutes after the node's clock (${new Date(latest).toISOString()})`,
    );
  }
  return withTransaction(ctx, async (tx) => {
    const held = await holdWaybill(tx, number);
    const w = held.waybill;
    await requireReporter(tx, held, { type: input.event.type, occurredAt });
    const event: TrackingEvent = {
      type: input.event.type,
      occurredAt,
      location: place(tx.network, input.event.location),
      details: input.event.details ?? {},
    };
    const fp = fingerprint(event);
    const settled = await settleNewEvent(tx, held, event, fp);
    if ("duplicate" in settled) {
      const view = waybillEventView(settled.duplicate, "sensitive");
      return { event: view, status: w.status, duplicate: true };
    }
    const { status } = settled;
    const row = await insertWaybillEvent(tx.db, {
      waybillNumber: number,
      ...event,
      fingerprint: fp,
      reportedBy: "orgId" in tx.actor ? tx.actor.orgId : null,
      recordedAt: tx.clock.now(),
      ...(await signEvent(tx, { waybillNumber: number, ...event, fingerprint: fp })),
    });
    // Independent writes, sent together: one round trip on the transaction's connection.
    await Promise.all([
      status !== w.status ? changeStatus(tx, w, status, event.type, held.legs) : undefined,
      markForReports(tx, [number]),
      shareWithPartners(tx, {
        waybill: { ...w, status },
        legs: held.legs,
        partners: held.partners,
        items: [{ type: "event", event: row }],
        origin: tx.nodeCode ?? "XJ",
      }),
    ]);
    recordAudit(tx, {
      action: "waybill.event_recorded",
      entityType: "waybill",
      entityId: number,
      data: { ...input.event, status },
    });
    return { event: waybillEventView(row, "sensitive"), status, duplicate: false };
  });
}

/** What recording an event reads about its waybill, the waybill locked first. */
interface HeldWaybill {
  waybill: Waybill;
  legs: WaybillLeg[];
  /** When each `transshipped` event occurred: they hand the cargo from leg to leg. */
  transshipments: Date[];
  /** The latest occurrence among the waybill's events, or null when it has none. */
  latest: Date | null;
  partners: FederationPartner[];
}

/**
 * Locks the waybill and reads what recording an event needs, sent as one pipeline: the server
 * runs the statements in order, so the reads after the lock see every event committed before
 * it. (Eleven sequential round trips per event, each a socket write and a read, were most of
 * a request's cost.)
 */
async function holdWaybill(tx: Ctx, number: string): Promise<HeldWaybill> {
  const [[w], legs, transshipments, latest, partners] = await Promise.all([
    tx.db.select().from(waybills).where(eq(waybills.number, number)).for("update"),
    selectLegs(tx, number),
    tx.db
      .select({ at: waybillEvents.occurredAt })
      .from(waybillEvents)
      .where(and(eq(waybillEvents.waybillNumber, number), eq(waybillEvents.type, "transshipped"))),
    latestOccurrence(tx, number),
    selectActivePartners(tx.db),
  ]);
  if (!w) throw NotFoundError.of("waybill", number);
  return {
    waybill: w,
    legs,
    transshipments: transshipments.map((t) => t.at),
    latest,
    partners,
  };
}

/**
 * The status once the new event joins the waybill's, or the event already held under its
 * fingerprint. An event later than all held moves the status by one transition; one that
 * lands among them is replayed with the whole set.
 */
async function settleNewEvent(
  tx: Ctx,
  held: HeldWaybill,
  event: TrackingEvent,
  fp: string,
): Promise<{ status: WaybillState } | { duplicate: WaybillEvent }> {
  if (held.latest !== null && event.occurredAt.getTime() > held.latest.getTime()) {
    return { status: statusAfterLatest(held.waybill.status, event) };
  }
  const rows = await tx.db
    .select()
    .from(waybillEvents)
    .where(eq(waybillEvents.waybillNumber, held.waybill.number));
  const same = rows.find((r) => r.fingerprint === fp);
  if (same) return { duplicate: same };
  return { status: statusWith(rows, event, fp) };
}

function selectLegs(ctx: Ctx, number: string): Promise<WaybillLeg[]> {
  return ctx.db.select().from(waybillLegs).where(eq(waybillLegs.waybillNumber, number));
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
  /** The waybill's legs, when the caller holds them already. */
  heldLegs?: readonly { carrierId: string }[],
): Promise<void> {
  await setWaybillStatus(tx.db, w.number, to, tx.clock.now());
  if (w.homeNode !== null) return;
  const legs =
    heldLegs ??
    (await tx.db
      .select({ carrierId: waybillLegs.carrierId })
      .from(waybillLegs)
      .where(eq(waybillLegs.waybillNumber, w.number)));
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
