/**
 * Dangerous goods as the UN Model Regulations classify them (and ADR, IMDG, IATA DGR follow).
 */

import { DG_CLASSES, type DgClass } from "../../routing/types";

// The classes are defined beside the routing model, which must not import from core/.
export { DG_CLASSES, type DgClass };

const DG_CLASS_SET: ReadonlySet<string> = new Set(DG_CLASSES);

export function isDgClass(s: string): s is DgClass {
  return DG_CLASS_SET.has(s);
}

/**
 * Range of UN numbers accepted. 0004 (ammonium picrate) is the lowest ever assigned; recent
 * revisions reach into the 3550s (sodium-ion batteries, battery-powered vehicles), so the upper
 * bound leaves room for the next revisions. This is a range check: gaps inside it are not
 * known to us and are not rejected.
 */
const UN_NUMBER_MIN = 4;
const UN_NUMBER_MAX = 3599;

export type UnNumberResult = { ok: true; unNumber: string } | { ok: false; message: string };

/**
 * Accepts "UN1203", "UN 1203" or "1203" and returns the canonical "UN1203". North American NA
 * numbers and IATA ID numbers are not UN numbers and are rejected.
 */
export function validateUnNumber(s: string): UnNumberResult {
  const match = /^(?:UN ?)?([0-9]{4})$/.exec(s);
  const digits = match?.[1];
  if (digits === undefined) {
    return { ok: false, message: "UN number must be 4 digits, optionally prefixed by UN" };
  }
  const n = Number(digits);
  if (n < UN_NUMBER_MIN || n > UN_NUMBER_MAX) {
    return { ok: false, message: `UN${digits} is outside the assigned range UN0004-UN3599` };
  }
  return { ok: true, unNumber: `UN${digits}` };
}
