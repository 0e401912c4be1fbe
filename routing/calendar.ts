import type { CalendarRecord } from "./types";

/** Times inside the engine are hours since 1970-01-01T00:00Z (a Thursday). */
const HOUR_MS = 3_600_000;
const WEEK = 168;
/** Hours from Monday 00:00 to the epoch's Thursday 00:00. */
const EPOCH_WEEK_OFFSET = 72;

export const toHours = (d: Date) => d.getTime() / HOUR_MS;
export const fromHours = (h: number) => new Date(Math.round(h * HOUR_MS));

export interface CompiledCalendar {
  offset: number;
  /** Merged open intervals in local hours of the week (Monday 00:00 = 0); null = always open. */
  open: Float64Array | null;
  closures: { from: number; to: number; reason: string }[];
}

const clock = (s: string) => {
  const [h = "0", m = "0"] = s.split(":");
  return Number(h) + Number(m) / 60;
};
const monthDay = (s: string) => {
  const [m = "1", d = "1"] = s.split("-");
  return Number(m) * 100 + Number(d);
};

export function compileCalendar(c: CalendarRecord): CompiledCalendar {
  let open: Float64Array | null = null;
  if (!c.always && c.weekly && c.weekly.length > 0) {
    const raw: [number, number][] = [];
    for (const w of c.weekly) {
      for (const d of w.days)
        raw.push([(d - 1) * 24 + clock(w.open), (d - 1) * 24 + clock(w.close)]);
    }
    raw.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const r of raw) {
      const last = merged.at(-1);
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    open = Float64Array.from(merged.flat());
  }
  return {
    offset: c.utcOffsetHours,
    open,
    closures: (c.seasonalClosures ?? []).map((s) => ({
      from: monthDay(s.from),
      to: monthDay(s.to),
      reason: s.reason,
    })),
  };
}

/** The seasonal closure in force at `t`, if any (hard: no waiting through it). */
function closureAt(cal: CompiledCalendar, t: number): string | undefined {
  if (cal.closures.length === 0) return undefined;
  const d = new Date((t + cal.offset) * HOUR_MS);
  const md = (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  for (const c of cal.closures) {
    const inside = c.from <= c.to ? md >= c.from && md < c.to : md >= c.from || md < c.to;
    if (inside) return c.reason;
  }
  return undefined;
}

/**
 * Earliest time ≥ t at which a link under this calendar may be entered: waits for the next
 * weekly opening; NaN when that moment falls in a seasonal closure.
 */
export function nextOpen(cal: CompiledCalendar, t: number): number {
  let at = t;
  const open = cal.open;
  if (open !== null) {
    const local = t + cal.offset + EPOCH_WEEK_OFFSET;
    const how = local - Math.floor(local / WEEK) * WEEK;
    let wait = -1;
    for (let i = 0; i < open.length; i += 2) {
      const start = open[i] ?? 0;
      const end = open[i + 1] ?? 0;
      if (end > how) {
        wait = start > how ? start - how : 0;
        break;
      }
    }
    if (wait < 0) wait = (open[0] ?? 0) + WEEK - how;
    at = t + wait;
  }
  return closureAt(cal, at) === undefined ? at : Number.NaN;
}
