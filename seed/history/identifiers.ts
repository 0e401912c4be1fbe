import { CREDIT_CODE_CHARSET, creditCodeCheckChar } from "../../core/validation/credit-code";
import { kzCheckDigit } from "../../core/validation/registration-number";
import { wagonCheckDigit } from "../../core/validation/unit-number";
import type { Random } from "./random";

/**
 * Identifiers that pass the node's own validators: the check characters come from the same
 * functions the node checks them with, so seeded organisations look registered, not invented.
 */

const DIGITS = "0123456789";
/** Plate serial letters: GA 36-2018 leaves out I and O. */
const PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ";

/** A unified social credit code of an enterprise (91…) registered in `division` (6 digits). */
export function creditCode(rng: Random, division: string): string {
  // Organisation identifiers (positions 9-17) are mostly digits with the odd letter.
  const body = `91${division}${rng.chars(DIGITS, 4)}${rng.chars(CREDIT_CODE_CHARSET, 5)}`;
  return body + creditCodeCheckChar(body);
}

/** A Kazakh BIN of a resident legal entity: YYMM, type 4, 0, a serial and the check digit. */
function kazakhBin(rng: Random): string {
  for (;;) {
    const yy = String(rng.between(2, 24)).padStart(2, "0");
    const mm = String(rng.between(1, 12)).padStart(2, "0");
    const first11 = `${yy}${mm}40${rng.chars(DIGITS, 5)}`;
    const check = kzCheckDigit(first11);
    if (check !== null) return first11 + String(check);
  }
}

const RU_INN10 = [2, 4, 10, 3, 5, 9, 4, 6, 8] as const;

/** A Russian organisation's 10-digit INN with its check digit. */
function russianInn(rng: Random): string {
  const body = `77${rng.chars(DIGITS, 7)}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body.charAt(i)) * (RU_INN10[i] ?? 0);
  return body + String((sum % 11) % 10);
}

/** A registration number in the scheme of `country` (not CN: Chinese firms carry credit codes). */
export function registrationNumber(rng: Random, country: string): string {
  switch (country) {
    case "KZ":
      return kazakhBin(rng);
    case "UZ":
      return `30${rng.chars(DIGITS, 7)}`;
    case "KG":
      return `0${rng.chars(DIGITS, 13)}`;
    case "PK":
      return `${rng.chars(DIGITS, 7)}-${rng.int(10)}`;
    case "RU":
      return russianInn(rng);
    default:
      return `HRB ${rng.chars(DIGITS, 6)}`;
  }
}

/** An ordinary Chinese plate: province, issuing office, five serial characters. */
export function chinesePlate(rng: Random, province: string, office: string): string {
  const letters = rng.chance(0.3) ? 1 : 0;
  const serial = rng.chars(PLATE_LETTERS, letters) + rng.chars(DIGITS, 5 - letters);
  return `${province}${office}${serial}`;
}

/** A foreign truck plate in the Kazakh layout (123 ABC 02 without spaces); checked loosely. */
export function foreignPlate(rng: Random, region: number): string {
  return `${rng.chars(DIGITS, 3)}${rng.chars(PLATE_LETTERS, 3)}${String(region).padStart(2, "0")}`;
}

/** A wagon number: 7 digits for a Chinese wagon, 8 with a check digit on the 1520 mm network. */
export function wagonNumber(rng: Random, gauge: 1435 | 1520): string {
  if (gauge === 1435) return `${rng.between(1, 9)}${rng.chars(DIGITS, 6)}`;
  const body = `${rng.pick(["2", "5", "6", "9"])}${rng.chars(DIGITS, 6)}`;
  return body + String(wagonCheckDigit(body));
}
