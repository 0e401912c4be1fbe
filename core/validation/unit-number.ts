import type { Mode } from "../../routing/types";
import { PLATE_PROVINCES, validateChinesePlate } from "./plate";

/**
 * Identifiers of the unit that carries a load: truck, wagon, aircraft, ship or container.
 *
 * Shapes we recognise are checked strictly (a value that looks like a container number must
 * carry the right ISO 6346 check digit); anything else falls back to GENERIC_UNIT_NUMBER so
 * foreign plates and local fleet numbers still go through.
 */

export type TransportMode = Mode;

export type UnitFormat =
  | "cn-plate"
  | "iso6346-container"
  | "cn-wagon"
  | "wagon-1520"
  | "uic-wagon"
  | "aircraft-registration"
  | "iata-uld"
  | "imo-ship"
  | "generic";

export type UnitNumberResult =
  | { ok: true; format: UnitFormat }
  | { ok: false; message: string; position?: number };

/**
 * Fallback for anything we do not recognise: 2–20 upper-case letters, digits, spaces or
 * hyphens, starting with a letter or digit. Deliberately loose; it only keeps out junk.
 */
const GENERIC_UNIT_NUMBER = /^[A-Z0-9][A-Z0-9 -]{1,19}$/;

const PROVINCE_SET: ReadonlySet<string> = new Set(PLATE_PROVINCES);

// ISO 6346: owner code (3 letters), category U/J/Z/R, 6-digit serial, check digit.
const CONTAINER = /^[A-Z]{3}[UJZR][0-9]{7}$/;
const CONTAINER_WITHOUT_CHECK = /^[A-Z]{3}[UJZR][0-9]{6}$/;

/** ISO 6346 letter values run from A=10 and skip multiples of 11 (11, 22, 33). */
function containerLetterValue(c: string): number {
  let value = 10;
  for (let code = 65; code < c.charCodeAt(0); code++) {
    value++;
    if (value % 11 === 0) value++;
  }
  return value;
}

/** Check digit for the first 10 characters of a container number (ISO 6346 Annex A). */
export function containerCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const c = first10.charAt(i);
    const value = /[0-9]/.test(c) ? Number(c) : containerLetterValue(c);
    sum += value * 2 ** i;
  }
  // A remainder of 10 gives check digit 0; owners avoid issuing such serials.
  return (sum % 11) % 10;
}

/**
 * Luhn-style digit used by UIC 12-digit and 1520 mm gauge 8-digit wagon numbers: digits are
 * weighted 2, 1, 2, … from the right of the body, products' digits summed, and the check
 * digit tops the sum up to a multiple of ten.
 */
export function wagonCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const weight = (body.length - i) % 2 === 1 ? 2 : 1;
    const product = Number(body.charAt(i)) * weight;
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

/** IMO ship number: 7 digits, the last being sum(d_i × (8 − i)) mod 10 over the first six. */
function imoCheckDigit(first6: string): number {
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(first6.charAt(i)) * (7 - i);
  return sum % 10;
}

function checkDigitFailure(
  what: string,
  position: number,
  expected: number,
  found: string,
): UnitNumberResult {
  return {
    ok: false,
    position,
    message: `${what} check digit at position ${position} should be ${expected}, not ${found}`,
  };
}

function validateContainer(compact: string): UnitNumberResult | null {
  if (CONTAINER.test(compact)) {
    const expected = containerCheckDigit(compact.slice(0, 10));
    return String(expected) === compact.charAt(10)
      ? { ok: true, format: "iso6346-container" }
      : checkDigitFailure("container", 11, expected, compact.charAt(10));
  }
  if (CONTAINER_WITHOUT_CHECK.test(compact)) {
    return {
      ok: false,
      position: 11,
      message: "container number is missing its check digit (position 11)",
    };
  }
  return null;
}

function validateRail(compact: string): UnitNumberResult | null {
  if (!/^[0-9]+$/.test(compact)) return null;
  // Chinese wagons carry a 7-digit number (TB/T 2435) with no check digit.
  if (compact.length === 7) return { ok: true, format: "cn-wagon" };
  if (compact.length === 8 || compact.length === 12) {
    const body = compact.slice(0, -1);
    const expected = wagonCheckDigit(body);
    const found = compact.charAt(compact.length - 1);
    if (String(expected) !== found) {
      return checkDigitFailure("wagon", compact.length, expected, found);
    }
    return { ok: true, format: compact.length === 8 ? "wagon-1520" : "uic-wagon" };
  }
  return null;
}

const AIRCRAFT_CN = /^B-[0-9A-Z]{3,5}$/; // mainland B-1234/B-30AA, HK B-HXX, Macau B-MXX, Taiwan B-12345
const AIRCRAFT_ICAO = /^[A-Z0-9]{1,2}-[A-Z0-9]{1,5}$/; // nationality mark, hyphen, registration mark
const AIRCRAFT_US = /^N[1-9][0-9]{0,4}[A-HJ-NP-Z]{0,2}$/;
const ULD = /^[A-Z]{3}[0-9]{4,5}[A-Z0-9]{2}$/; // type code, serial, owner airline

function validateAir(value: string): UnitNumberResult | null {
  if (AIRCRAFT_CN.test(value) || AIRCRAFT_ICAO.test(value) || AIRCRAFT_US.test(value)) {
    return { ok: true, format: "aircraft-registration" };
  }
  if (ULD.test(value)) return { ok: true, format: "iata-uld" };
  return null;
}

function validateSea(value: string): UnitNumberResult | null {
  const imo = /^IMO ?([0-9]{7})$/.exec(value);
  const digits = imo?.[1];
  if (digits === undefined) return null;
  const expected = imoCheckDigit(digits);
  const found = digits.charAt(6);
  // Position within the whole value, so "IMO 9074729" reports the last character.
  return String(expected) === found
    ? { ok: true, format: "imo-ship" }
    : checkDigitFailure("IMO", Array.from(value).length, expected, found);
}

/**
 * Validates the identifier of a transport unit for the given mode. Containers are recognised
 * in every mode because they travel on trucks, wagons and ships alike.
 */
export function validateUnitNumber(mode: TransportMode, value: string): UnitNumberResult {
  if (value.length === 0) return { ok: false, position: 1, message: "unit number is empty" };

  // Spaces and hyphens are layout on containers and wagons ("CSQU 305438 3", "50 51 26-18 001-5").
  const compact = value.replace(/[\s-]/g, "");
  const container = validateContainer(compact);
  if (container) return container;

  let specific: UnitNumberResult | null = null;
  switch (mode) {
    case "road": {
      const first = Array.from(value)[0] ?? "";
      if (PROVINCE_SET.has(first)) {
        const plate = validateChinesePlate(value);
        return plate.ok
          ? { ok: true, format: "cn-plate" }
          : { ok: false, position: plate.position, message: plate.message };
      }
      break;
    }
    case "rail":
      specific = validateRail(compact);
      break;
    case "air":
      specific = validateAir(value);
      break;
    case "sea":
      specific = validateSea(value);
      break;
  }
  if (specific) return specific;

  if (GENERIC_UNIT_NUMBER.test(value)) return { ok: true, format: "generic" };
  return {
    ok: false,
    message:
      "unit number must be 2-20 characters of A-Z, 0-9, space or hyphen, starting with a letter or digit",
  };
}
