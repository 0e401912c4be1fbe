import { checkLinkGeometry } from "./geometry";
import {
  type CrossingRecord,
  GAUGES,
  type HandlingTable,
  type HubRecord,
  MODES,
  type NetworkData,
  type TransshipmentRecord,
} from "./types";

/** The network data is invalid; `issues` name each bad record, e.g. `link R-X-Y: unknown hub`. */
export class NetworkError extends Error {
  constructor(readonly issues: string[]) {
    super(
      `invalid network data: ${issues.slice(0, 5).join("; ")}${issues.length > 5 ? "; …" : ""}`,
    );
    this.name = "NetworkError";
  }
}

const HUB_CODE = /^[A-Z]{2}-[A-Z]{3}$/;
const MONTH_DAY = /^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const CLOCK = /^([01][0-9]|2[0-4]):[0-5][0-9]$/;
const MODE_SET: ReadonlySet<string> = new Set(MODES);
const GAUGE_SET: ReadonlySet<number> = new Set(GAUGES);

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const nonNegative = (x: unknown): x is number => finite(x) && x >= 0;

/**
 * Checks the data as a whole and returns it unchanged, or throws a `NetworkError` naming every
 * bad record: unknown hubs, negative figures, rail links whose gauge a hub does not have, hubs
 * with two gauges but no transshipment point, unknown crossings or emission factors, and links
 * shorter than the great circle between their hubs. Links much longer than it are not refused:
 * `checkLinkGeometry(data).flags` lists those that give no `detourReason`.
 */
export function validateNetwork(data: NetworkData): NetworkData {
  const issues: string[] = [];
  const hubs = validateHubs(data, issues);
  validateFactors(data, issues);
  const crossings = validateCrossings(data, issues);
  validateTransshipments(data, hubs, issues);
  validateHandling(data.handling, hubs, issues);
  validateLinks(data, hubs, crossings, issues);
  issues.push(...checkLinkGeometry(data).refused);
  if (issues.length > 0) throw new NetworkError(issues);
  return data;
}

function validateHubs(data: NetworkData, issues: string[]): Map<string, HubRecord> {
  const hubs = new Map<string, HubRecord>();
  for (const [i, h] of data.hubs.entries()) {
    const name = `hub ${h.code ?? `#${i}`}`;
    if (typeof h.code !== "string" || !HUB_CODE.test(h.code)) {
      issues.push(`${name}: code must be country + three letters, e.g. CN-URC`);
      continue;
    }
    if (hubs.has(h.code)) issues.push(`${name}: duplicate hub code`);
    if (!finite(h.lat) || h.lat < -90 || h.lat > 90) issues.push(`${name}: lat out of range`);
    if (!finite(h.lon) || h.lon < -180 || h.lon > 180) issues.push(`${name}: lon out of range`);
    if (h.country !== h.code.slice(0, 2)) issues.push(`${name}: country must match code prefix`);
    if (!Array.isArray(h.modes) || h.modes.some((m) => !MODE_SET.has(m))) {
      issues.push(`${name}: modes must be a list of ${MODES.join(", ")}`);
    }
    for (const g of h.railGauges ?? []) {
      if (!GAUGE_SET.has(g)) issues.push(`${name}: unknown rail gauge ${g}`);
    }
    if (h.country === "CN" && !/^[1-8][0-9]{5}$/.test(h.divisionCode ?? "")) {
      issues.push(`${name}: Chinese hubs need a six-digit GB/T 2260 divisionCode`);
    }
    hubs.set(h.code, h);
  }

  return hubs;
}

function validateFactors(data: NetworkData, issues: string[]): void {
  const factors = data.emissionFactors.factors;
  if (!data.emissionFactors.version) issues.push("emission factor table: version is required");
  for (const [id, f] of Object.entries(factors)) {
    if (!nonNegative(f.value)) issues.push(`emission factor ${id}: value must be ≥ 0`);
    if (!f.source) issues.push(`emission factor ${id}: source is required`);
  }
}

function validateCrossings(data: NetworkData, issues: string[]): Map<string, CrossingRecord> {
  const crossings = new Map<string, CrossingRecord>();
  for (const c of data.crossings) {
    const name = `crossing ${c.id}`;
    if (crossings.has(c.id)) issues.push(`${name}: duplicate id`);
    crossings.set(c.id, c);
    if (!nonNegative(c.dwellHours?.typical) || !nonNegative(c.dwellHours?.badDay)) {
      issues.push(`${name}: dwellHours.typical and badDay must be ≥ 0`);
    } else if (c.dwellHours.badDay < c.dwellHours.typical) {
      issues.push(`${name}: dwellHours.badDay must be ≥ typical`);
    }
    validateCalendar(name, c.calendar, issues);
  }

  return crossings;
}

function validateCalendar(
  name: string,
  cal: CrossingRecord["calendar"] | undefined,
  issues: string[],
): void {
  if (!cal || !finite(cal.utcOffsetHours) || Math.abs(cal.utcOffsetHours) > 14) {
    issues.push(`${name}: calendar.utcOffsetHours is required (−14…14)`);
    return;
  }
  if (!cal.always && !cal.weekly?.length) {
    issues.push(`${name}: calendar needs always: true or weekly windows`);
  }
  for (const w of cal.weekly ?? []) {
    if (!CLOCK.test(w.open) || !CLOCK.test(w.close) || w.open >= w.close) {
      issues.push(`${name}: weekly window ${w.open}–${w.close} is not a valid HH:MM range`);
    }
    if (w.days.length === 0 || w.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
      issues.push(`${name}: weekly days must be ISO weekdays 1–7`);
    }
  }
  for (const s of cal.seasonalClosures ?? []) {
    if (!MONTH_DAY.test(s.from) || !MONTH_DAY.test(s.to)) {
      issues.push(`${name}: seasonal closure dates must be MM-DD`);
    }
  }
}

/** Transshipment points, and a hub with two gauges must have one. */
function validateTransshipments(
  data: NetworkData,
  hubs: Map<string, HubRecord>,
  issues: string[],
): void {
  const transshipments = new Map<string, TransshipmentRecord>();
  for (const t of data.transshipments) {
    const name = `transshipment at ${t.hub}`;
    const hub = hubs.get(t.hub);
    if (!hub) issues.push(`${name}: unknown hub ${t.hub}`);
    if (transshipments.has(t.hub)) issues.push(`${name}: duplicate`);
    transshipments.set(t.hub, t);
    for (const k of ["hours", "fixedUsd", "usdPerTonne", "co2eKgPerTonne"] as const) {
      if (!nonNegative(t[k])) issues.push(`${name}: ${k} must be ≥ 0`);
    }
  }
  for (const h of hubs.values()) {
    if ((h.railGauges?.length ?? 0) > 1 && !transshipments.has(h.code)) {
      issues.push(`hub ${h.code}: has gauges ${h.railGauges?.join(" and ")} but no transshipment`);
    }
  }
}

function validateLinks(
  data: NetworkData,
  hubs: Map<string, HubRecord>,
  crossings: Map<string, CrossingRecord>,
  issues: string[],
): void {
  const factors = data.emissionFactors.factors;
  const linkIds = new Set<string>();
  for (const [i, l] of data.links.entries()) {
    const name = `link ${l.id ?? `#${i}`}`;
    if (typeof l.id !== "string" || l.id === "") {
      issues.push(`${name}: id is required`);
      continue;
    }
    if (linkIds.has(l.id)) issues.push(`${name}: duplicate link id`);
    linkIds.add(l.id);
    const from = hubs.get(l.from);
    const to = hubs.get(l.to);
    if (!from) issues.push(`${name}: unknown hub ${l.from}`);
    if (!to) issues.push(`${name}: unknown hub ${l.to}`);
    if (l.from === l.to) issues.push(`${name}: from and to are the same hub`);
    if (!MODE_SET.has(l.mode)) issues.push(`${name}: unknown mode ${l.mode}`);
    if (!finite(l.distanceKm) || l.distanceKm <= 0) {
      issues.push(`${name}: distanceKm must be > 0 (got ${l.distanceKm})`);
    }
    const hasSpeed = finite(l.speedKmh) && l.speedKmh > 0;
    const hasDuration = finite(l.durationHours) && l.durationHours > 0;
    if (!hasSpeed && !hasDuration) issues.push(`${name}: needs speedKmh > 0 or durationHours > 0`);
    if (l.maxWeightKg !== undefined && !(finite(l.maxWeightKg) && l.maxWeightKg > 0)) {
      issues.push(`${name}: maxWeightKg must be > 0`);
    }
    if (!l.cost || !nonNegative(l.cost.fixedUsd) || !nonNegative(l.cost.usdPerTonneKm)) {
      issues.push(`${name}: cost.fixedUsd and cost.usdPerTonneKm must be ≥ 0`);
    } else if (l.cost.currency !== "USD") {
      issues.push(`${name}: cost.currency must be USD (got ${l.cost.currency})`);
    }
    const factor = factors[l.emissionFactor];
    if (!factor) issues.push(`${name}: unknown emission factor ${l.emissionFactor}`);
    else if (factor.mode !== l.mode) {
      issues.push(`${name}: emission factor ${l.emissionFactor} is for ${factor.mode}`);
    }
    if (l.crossing !== undefined && !crossings.has(l.crossing)) {
      issues.push(`${name}: unknown crossing ${l.crossing}`);
    }
    for (const hub of [from, to]) {
      if (hub && !hub.modes.includes(l.mode)) {
        issues.push(`${name}: hub ${hub.code} does not handle ${l.mode}`);
      }
    }
    validateLinkGauge(name, l, from, to, issues);
  }
}

/** A rail link needs a gauge both its end hubs have; no other link has one. */
function validateLinkGauge(
  name: string,
  l: NetworkData["links"][number],
  from: HubRecord | undefined,
  to: HubRecord | undefined,
  issues: string[],
): void {
  if (l.mode === "rail") {
    if (l.gauge === undefined || !GAUGE_SET.has(l.gauge)) {
      issues.push(`${name}: rail link needs a gauge (${GAUGES.join(" or ")})`);
    } else {
      for (const hub of [from, to]) {
        if (hub && !(hub.railGauges ?? []).includes(l.gauge)) {
          const other = hub.railGauges?.join("/") ?? "none";
          issues.push(
            `${name}: rail link of gauge ${l.gauge} ends at ${hub.code} (gauge ${other}) ` +
              "without a transshipment point for that gauge",
          );
        }
      }
    }
  } else if (l.gauge !== undefined) {
    issues.push(`${name}: only rail links have a gauge`);
  }
}

function validateHandling(
  handling: HandlingTable,
  hubs: Map<string, HubRecord>,
  issues: string[],
): void {
  for (const h of hubs.values()) {
    if (!handling.byHub[h.code] && !handling.byKind[h.kind]) {
      issues.push(`hub ${h.code}: no mode-change handling for kind ${h.kind}`);
    }
  }
  for (const code of Object.keys(handling.byHub)) {
    if (!hubs.has(code)) issues.push(`handling byHub ${code}: unknown hub`);
  }
  const byMode = Object.entries(handling.byMode ?? {}).map(([m, r]) => [`byMode.${m}`, r] as const);
  for (const [m] of Object.entries(handling.byMode ?? {})) {
    if (!MODE_SET.has(m)) issues.push(`handling byMode.${m}: unknown mode`);
  }
  for (const [key, r] of [
    ...Object.entries(handling.byKind),
    ...Object.entries(handling.byHub),
    ...byMode,
  ]) {
    for (const k of ["hours", "fixedUsd", "usdPerTonne", "co2eKgPerTonne"] as const) {
      if (!nonNegative(r[k])) issues.push(`handling ${key}: ${k} must be ≥ 0`);
    }
  }
  for (const m of MODES) {
    const v = handling.volumetricKgPerM3?.[m];
    if (!(finite(v) && v > 0)) issues.push(`handling volumetricKgPerM3.${m} must be > 0`);
    if (typeof handling.terminalHandling?.[m] !== "boolean") {
      issues.push(`handling terminalHandling.${m} must be true or false`);
    }
    const u = handling.vehicles?.[m];
    if (
      !u ||
      !(finite(u.payloadKg) && u.payloadKg > 0) ||
      !(finite(u.volumeM3) && u.volumeM3 > 0)
    ) {
      issues.push(`handling vehicles.${m}: payloadKg and volumeM3 must be > 0`);
    } else if (u.linkLimit !== "vehicle" && u.linkLimit !== "consist") {
      issues.push(`handling vehicles.${m}: linkLimit must be "vehicle" or "consist"`);
    }
  }
}
