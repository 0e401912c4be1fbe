import { ValidationError } from "../errors";

/**
 * Waybill numbers: `<node>-<year>-<sequence>-<check>`, e.g. `XJ-2026-00012345-6`.
 *
 * The node code makes numbers unique across the federation; the year and an 8-digit sequence
 * from the node's database make them unique within it. The check digit is ISO/IEC 7064
 * MOD 11-10 (a hybrid system, as in German identity documents) computed over the node code's
 * letters written as two-digit numbers (A = 10 … Z = 35, as in IBANs), the year and the
 * sequence. It catches every single-digit error and almost all adjacent transpositions, so a
 * mistyped number is told apart from one that was never issued.
 */
const WAYBILL_NUMBER = /^([A-Z]{2,4})-([0-9]{4})-([0-9]{8})-([0-9])$/;

function payloadDigits(node: string, year: string, seq: string): string {
  let out = "";
  for (const ch of node) out += String(ch.charCodeAt(0) - 55);
  return out + year + seq;
}

/** ISO/IEC 7064 MOD 11-10 check digit of a string of decimal digits. */
export function mod11_10(digits: string): number {
  let p = 10;
  for (const ch of digits) {
    let s = (p + Number(ch)) % 10;
    if (s === 0) s = 10;
    p = (2 * s) % 11;
  }
  return (11 - p) % 10;
}

export function formatWaybillNumber(node: string, year: number, seq: number): string {
  const y = String(year).padStart(4, "0");
  const n = String(seq).padStart(8, "0");
  if (n.length > 8) throw new Error(`waybill sequence ${seq} exceeds 8 digits`);
  return `${node}-${y}-${n}-${mod11_10(payloadDigits(node, y, n))}`;
}

export type WaybillNumberCheck =
  | { ok: true; number: string }
  | { ok: false; reason: "MALFORMED" | "CHECK_DIGIT"; message: string };

export function checkWaybillNumber(input: string): WaybillNumberCheck {
  const s = input.trim().toUpperCase();
  const m = WAYBILL_NUMBER.exec(s);
  if (!m?.[1] || !m[2] || !m[3] || !m[4]) {
    return {
      ok: false,
      reason: "MALFORMED",
      message: "malformed waybill number; expected NODE-YYYY-NNNNNNNN-C, e.g. XJ-2026-00012345-6",
    };
  }
  const expected = mod11_10(payloadDigits(m[1], m[2], m[3]));
  if (expected !== Number(m[4])) {
    return {
      ok: false,
      reason: "CHECK_DIGIT",
      message: `check digit mismatch: ${s} is not a valid waybill number (mistyped?)`,
    };
  }
  return { ok: true, number: s };
}

/** A valid number or a 400 naming what is wrong with it. */
export function parseWaybillNumber(input: string, path = "number"): string {
  const r = checkWaybillNumber(input);
  if (!r.ok) throw new ValidationError(r.message, [{ path, message: r.message }], r.reason);
  return r.number;
}
