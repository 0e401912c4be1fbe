import { isCountryCode } from "./countries";
import { validateCreditCode } from "./credit-code";

/**
 * National registration numbers of companies and sole traders along the corridor. Countries
 * with a scheme below are checked strictly; every other country gets GENERIC_REGISTRATION.
 */

export type RegistrationScheme =
  | "cn-uscc"
  | "kz-bin-iin"
  | "uz-stir"
  | "kg-inn"
  | "pk-ntn"
  | "pk-cnic"
  | "ru-inn"
  | "ru-ogrn"
  | "ru-ogrnip"
  | "generic";

export type RegistrationResult =
  | { ok: true; scheme: RegistrationScheme }
  | { ok: false; message: string; position?: number };

/** Fallback for countries without a specific rule: 3–40 of A–Z, 0–9 and . / space hyphen. */
const GENERIC_REGISTRATION = /^[A-Z0-9][A-Z0-9./ -]{2,39}$/;

const DIGITS = /^[0-9]+$/;

function fail(message: string, position?: number): RegistrationResult {
  return position === undefined ? { ok: false, message } : { ok: false, message, position };
}

function digitsOf(s: string): number[] {
  return Array.from(s, Number);
}

function weightedSum(digits: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits[i] ?? 0) * (weights[i] ?? 0);
  return sum;
}

const KZ_FIRST = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] as const;
const KZ_SECOND = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const;

/**
 * Check digit of a Kazakh BIN/IIN from its first 11 digits, or null when both passes give 10
 * (such numbers are never issued). Weight 11 is 0 mod 11, so the first pass ignores digit 11:
 * a typo there goes unnoticed unless the second pass is in play.
 */
export function kzCheckDigit(first11: string): number | null {
  const digits = digitsOf(first11);
  const first = weightedSum(digits, KZ_FIRST) % 11;
  if (first !== 10) return first;
  const second = weightedSum(digits, KZ_SECOND) % 11;
  return second === 10 ? null : second;
}

function mod(digits: string, m: number): number {
  let r = 0;
  for (const d of digits) r = (r * 10 + Number(d)) % m;
  return r;
}

const RU_INN10 = [2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
const RU_INN12_A = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;
const RU_INN12_B = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8] as const;

function checkDigitAt(
  value: string,
  position: number,
  expected: number,
  what: string,
): RegistrationResult | null {
  const found = value.charAt(position - 1);
  return String(expected) === found
    ? null
    : fail(
        `${what} check digit at position ${position} should be ${expected}, not ${found}`,
        position,
      );
}

function validateKz(value: string): RegistrationResult {
  if (!/^[0-9]{12}$/.test(value)) return fail("Kazakh BIN/IIN must be exactly 12 digits");
  const expected = kzCheckDigit(value.slice(0, 11));
  if (expected === null) {
    return fail("not a valid BIN/IIN: no check digit exists for the first 11 digits", 12);
  }
  return checkDigitAt(value, 12, expected, "BIN/IIN") ?? { ok: true, scheme: "kz-bin-iin" };
}

function validateRu(value: string): RegistrationResult {
  if (!DIGITS.test(value)) return fail("Russian INN/OGRN must contain digits only");
  const d = digitsOf(value);
  switch (value.length) {
    case 10: // INN of an organisation
      return (
        checkDigitAt(value, 10, (weightedSum(d, RU_INN10) % 11) % 10, "INN") ?? {
          ok: true,
          scheme: "ru-inn",
        }
      );
    case 12: // INN of a person or sole trader: two check digits
      return (
        checkDigitAt(value, 11, (weightedSum(d, RU_INN12_A) % 11) % 10, "INN") ??
        checkDigitAt(value, 12, (weightedSum(d, RU_INN12_B) % 11) % 10, "INN") ?? {
          ok: true,
          scheme: "ru-inn",
        }
      );
    case 13: // OGRN: the 12-digit body mod 11, last digit of the remainder
      return (
        checkDigitAt(value, 13, mod(value.slice(0, 12), 11) % 10, "OGRN") ?? {
          ok: true,
          scheme: "ru-ogrn",
        }
      );
    case 15: // OGRNIP of a sole trader: the 14-digit body mod 13
      return (
        checkDigitAt(value, 15, mod(value.slice(0, 14), 13) % 10, "OGRNIP") ?? {
          ok: true,
          scheme: "ru-ogrnip",
        }
      );
    default:
      return fail(
        `Russian numbers have 10 or 12 digits (INN), 13 (OGRN) or 15 (OGRNIP); got ${value.length}`,
      );
  }
}

function validatePk(value: string): RegistrationResult {
  // Legacy NTN with an optional check digit; the check algorithm is not published, so only the
  // shape is checked.
  if (/^[0-9]{7}(-[0-9])?$/.test(value)) return { ok: true, scheme: "pk-ntn" };
  // Individuals are registered under their 13-digit CNIC (NADRA layout 12345-1234567-1).
  if (/^[0-9]{5}-?[0-9]{7}-?[0-9]$/.test(value)) return { ok: true, scheme: "pk-cnic" };
  return fail("Pakistani NTN must be 7 digits with an optional -check digit, or a 13-digit CNIC");
}

/**
 * Validates a registration number for a country given as ISO 3166-1 alpha-2. The value is
 * checked as given; callers decide whether to trim or upper-case first.
 *
 * UZ (STIR, 9 digits) and KG (INN, 14 digits) are checked for shape only: neither country
 * publishes a check-digit algorithm we could confirm.
 */
export function validateRegistrationNumber(country: string, value: string): RegistrationResult {
  if (!isCountryCode(country)) {
    return fail(`unknown country code ${JSON.stringify(country)} (expected ISO 3166-1 alpha-2)`);
  }
  if (value.length === 0) return fail("registration number is empty");
  switch (country) {
    case "CN": {
      const result = validateCreditCode(value);
      return result.ok ? { ok: true, scheme: "cn-uscc" } : fail(result.message, result.position);
    }
    case "KZ":
      return validateKz(value);
    case "UZ":
      return /^[0-9]{9}$/.test(value)
        ? { ok: true, scheme: "uz-stir" }
        : fail("Uzbek STIR (INN) must be exactly 9 digits");
    case "KG":
      return /^[0-9]{14}$/.test(value)
        ? { ok: true, scheme: "kg-inn" }
        : fail("Kyrgyz INN must be exactly 14 digits");
    case "PK":
      return validatePk(value);
    case "RU":
      return validateRu(value);
    default:
      return GENERIC_REGISTRATION.test(value)
        ? { ok: true, scheme: "generic" }
        : fail(
            "registration number must be 3-40 characters of A-Z, 0-9, dot, slash, space or hyphen, starting with a letter or digit",
          );
  }
}
