import type { WaybillState } from "../../db/schema";
import type { Random } from "./random";
import type { RouteOption } from "./routes";

const HOUR = 3_600_000;

export interface JourneyEvent {
  type: WaybillState;
  at: number;
  /** Hub code, or null for an event without a place. */
  hub: string | null;
  /** Canonical JSON (keys sorted), written as is and hashed into the fingerprint. */
  details: string;
  /** Index of the leg whose carrier reports it; -1 for the shipper. */
  leg: number;
}

export interface JourneyPlan {
  option: RouteOption;
  created: number;
  pickup: number;
  /** Events after this instant have not happened yet. */
  until: number;
}

const EMPTY = "{}";
const reason = (why: string) => `{"reason":${JSON.stringify(why)}}`;

const EXCEPTION_REASONS = [
  "vehicle breakdown",
  "documents incomplete",
  "customs inspection",
  "weather",
  "congestion",
];

/** Appends `e`, strictly after the previous event so the order by time is the order written. */
function push(events: JourneyEvent[], e: JourneyEvent): void {
  // Whole milliseconds, as stored: two events in one millisecond would replay by rank instead.
  e.at = Math.floor(e.at);
  const prev = events[events.length - 1];
  if (prev && e.at <= prev.at) e.at = prev.at + 60_000 + (e.at % 1000);
  events.push(e);
}

/** Leg by leg: departures, border dwell (typical, or a bad day), gauge and mode changes. */
function travel(rng: Random, plan: JourneyPlan, events: JourneyEvent[]): number {
  let delay = rng.chance(0.2) ? rng.next() * 12 * HOUR : 0;
  const legs = plan.option.legs;
  for (let i = 0; i < legs.length; i++) {
    const leg = legs[i];
    if (!leg) continue;
    const depart = plan.pickup + leg.depart * HOUR + delay;
    if (leg.change) {
      push(events, {
        type: "transshipped",
        at: depart - leg.change.hours * HOUR * 0.5,
        hub: leg.from,
        details: `{"note":${JSON.stringify(leg.change.note)}}`,
        leg: i - 1,
      });
    }
    if (events[events.length - 1]?.type !== "in_transit") {
      push(events, { type: "in_transit", at: depart, hub: leg.from, details: EMPTY, leg: i });
    }
    // Late legs: most run to plan, some lose hours, few lose days.
    delay += (leg.arrive - leg.depart) * HOUR * Math.max(-0.05, rng.normal() * 0.08);
    if (leg.crossing) {
      const { typical, badDay } = leg.crossing.dwellHours;
      const dwell = rng.chance(0.07)
        ? badDay * (0.6 + rng.next() * 0.6)
        : rng.logNormal(typical, 0.35);
      const arrive = plan.pickup + leg.arrive * HOUR + delay - typical * HOUR;
      push(events, {
        type: "at_border",
        at: arrive,
        hub: leg.borderHub ?? leg.from,
        details: `{"crossing":${JSON.stringify(leg.crossing.id)}}`,
        leg: i,
      });
      push(events, {
        type: "cleared",
        at: arrive + dwell * HOUR,
        hub: leg.to,
        details: `{"crossing":${JSON.stringify(leg.crossing.id)},"dwellHours":${Math.round(dwell * 10) / 10}}`,
        leg: i,
      });
      delay += (dwell - typical) * HOUR;
    }
  }
  const last = legs[legs.length - 1];
  return plan.pickup + (last?.arrive ?? 0) * HOUR + delay;
}

/** An exception somewhere on the way, and the hours it costs before the journey resumes. */
function disrupt(rng: Random, events: JourneyEvent[]): void {
  const candidates = events.flatMap((e, i) => (i >= 2 && e.type !== "cleared" ? [i] : []));
  if (candidates.length === 0) return;
  const at = rng.pick(candidates);
  const before = events[at - 1];
  const resume = events[at];
  if (!before || !resume) return;
  const shift = Math.floor(rng.logNormal(10, 0.8) * HOUR);
  for (let i = at; i < events.length; i++) {
    const e = events[i];
    if (e) e.at += shift;
  }
  const exception: JourneyEvent = {
    type: "exception",
    at: before.at + Math.floor(Math.min(shift * 0.2, (resume.at - before.at) / 2)),
    hub: before.hub,
    details: reason(rng.pick(EXCEPTION_REASONS)),
    leg: resume.leg,
  };
  events.splice(at, 0, exception);
}

/**
 * The event history of one waybill, in time order, cut at `until`: created, picked up, on its
 * way leg by leg, sometimes held by an exception, delivered and confirmed; a few are cancelled
 * before pickup or lost for good.
 */
export function journey(rng: Random, plan: JourneyPlan): JourneyEvent[] {
  const origin = plan.option.legs[0]?.from ?? null;
  const dest = plan.option.legs[plan.option.legs.length - 1]?.to ?? null;
  const events: JourneyEvent[] = [
    { type: "created", at: plan.created, hub: origin, details: EMPTY, leg: 0 },
  ];
  if (rng.chance(0.01)) {
    push(events, {
      type: "cancelled",
      at: plan.pickup - rng.next() * 12 * HOUR,
      hub: null,
      details: reason("shipper cancelled"),
      leg: -1,
    });
    return events.filter((e) => e.at <= plan.until);
  }
  push(events, { type: "picked_up", at: plan.pickup, hub: origin, details: EMPTY, leg: 0 });
  const arrived = travel(rng, plan, events);
  const unloaded = arrived + (1 + rng.next() * 4) * HOUR;
  const lastLeg = plan.option.legs.length - 1;
  push(events, { type: "delivered", at: unloaded, hub: dest, details: EMPTY, leg: lastLeg });
  if (rng.chance(0.05)) disrupt(rng, events);
  if (rng.chance(0.004)) {
    // Lost for good: the history stops at an exception and the shipper cancels.
    const cut = 2 + rng.int(events.length - 2);
    const stop = events[cut - 1]?.at ?? plan.pickup;
    events.length = cut;
    push(events, {
      type: "exception",
      at: stop + 6 * HOUR,
      hub: null,
      details: reason("cargo lost"),
      leg: -1,
    });
    push(events, {
      type: "cancelled",
      at: stop + 200 * HOUR,
      hub: null,
      details: reason("cargo lost"),
      leg: -1,
    });
  } else {
    const delivered = events[events.length - 1]?.at ?? unloaded;
    push(events, {
      type: "pod_confirmed",
      at: delivered + rng.logNormal(20, 0.6) * HOUR,
      hub: null,
      details: EMPTY,
      leg: -1,
    });
  }
  return events.filter((e) => e.at <= plan.until);
}
