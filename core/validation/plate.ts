/**
 * Chinese motor-vehicle plates (GA 36-2018).
 *
 *   ordinary      京A12345    province, issuing-office letter, 5 serial characters
 *   new energy    京AD12345   small: D/F-family letter, letter or digit, 4 digits
 *                 京A12345D   large: 5 digits, then D (pure electric) or F (other)
 *   suffixed      鲁A1234挂   4 serial characters and a use suffix (trailer, coach, police, …)
 */

/** Province-level abbreviations that issue ordinary civilian plates. */
export const PLATE_PROVINCES = [
  "京",
  "津",
  "沪",
  "渝",
  "冀",
  "豫",
  "云",
  "辽",
  "黑",
  "湘",
  "皖",
  "鲁",
  "新",
  "苏",
  "浙",
  "赣",
  "鄂",
  "桂",
  "甘",
  "晋",
  "蒙",
  "陕",
  "吉",
  "闽",
  "贵",
  "粤",
  "青",
  "藏",
  "川",
  "宁",
  "琼",
] as const;

const PLATE_SUFFIXES = {
  挂: "trailer",
  学: "coach",
  警: "police",
  港: "hong-kong",
  澳: "macau",
  领: "consulate",
  试: "test",
  超: "over-limit",
} as const;

type SuffixKind = (typeof PLATE_SUFFIXES)[keyof typeof PLATE_SUFFIXES];

export type PlateKind = "ordinary" | "new-energy-small" | "new-energy-large" | SuffixKind;

export type PlateResult =
  | { ok: true; kind: PlateKind }
  | { ok: false; position: number; message: string };

const PROVINCE_SET: ReadonlySet<string> = new Set(PLATE_PROVINCES);
const LETTER = /^[A-HJ-NP-Z]$/;
const SERIAL_CHAR = /^[0-9A-HJ-NP-Z]$/;
const DIGIT = /^[0-9]$/;
/**
 * First letter of a small new-energy serial. GA 36-2018 names D (pure electric) and F (other);
 * where those ran out, issuing offices extended them to A, B, C, E (pure electric) and G, H, J,
 * K (other), so those are accepted too rather than rejecting real plates.
 */
const SMALL_NEV_FIRST = /^[A-HJK]$/;
const LARGE_NEV_LAST = /^[DF]$/;

function isSuffix(c: string): c is keyof typeof PLATE_SUFFIXES {
  return Object.hasOwn(PLATE_SUFFIXES, c);
}

function fail(position: number, message: string): PlateResult {
  return { ok: false, position, message };
}

function checkSerial(chars: readonly string[], from: number, to: number): PlateResult | null {
  for (let i = from; i < to; i++) {
    const c = chars[i] ?? "";
    if (!SERIAL_CHAR.test(c)) {
      const why = c === "I" || c === "O" ? "I and O are not used" : "expected A-Z or 0-9";
      return fail(i + 1, `character ${JSON.stringify(c)} at position ${i + 1} is invalid (${why})`);
    }
  }
  return null;
}

/**
 * Validates a plate exactly as written on the vehicle without separators (京A12345, not
 * 京A·12345). Positions are 1-based and count characters, the province character being 1.
 * Embassy (使), military and armed-police plates are out of scope and rejected.
 */
export function validateChinesePlate(s: string): PlateResult {
  const chars = Array.from(s);
  const first = chars[0];
  if (first === undefined) return fail(1, "plate is empty");
  if (!PROVINCE_SET.has(first)) {
    return fail(1, `${JSON.stringify(first)} at position 1 is not a province abbreviation`);
  }
  const office = chars[1];
  if (office === undefined) return fail(2, "plate ends after the province; expected a letter");
  if (!LETTER.test(office)) {
    return fail(
      2,
      `${JSON.stringify(office)} at position 2 must be a letter A-Z other than I and O`,
    );
  }
  if (chars.length < 7) {
    return fail(chars.length + 1, `plate has ${chars.length} characters; expected 7 or 8`);
  }
  if (chars.length > 8) return fail(9, `plate has ${chars.length} characters; expected 7 or 8`);

  const last = chars[chars.length - 1] ?? "";
  if (isSuffix(last)) {
    if (chars.length !== 7) {
      return fail(8, `plates ending in ${last} have 4 serial characters; this one has 5`);
    }
    const kind = PLATE_SUFFIXES[last];
    if ((kind === "hong-kong" || kind === "macau") && (first !== "粤" || office !== "Z")) {
      return fail(1, `cross-border plates ending in ${last} are issued as 粤Z`);
    }
    return checkSerial(chars, 2, 6) ?? { ok: true, kind };
  }

  if (chars.length === 7) return checkSerial(chars, 2, 7) ?? { ok: true, kind: "ordinary" };

  // Eight characters: new-energy plate, small or large.
  const third = chars[2] ?? "";
  if (DIGIT.test(third)) {
    for (let i = 2; i < 7; i++) {
      const c = chars[i] ?? "";
      if (!DIGIT.test(c)) {
        return fail(i + 1, `large new-energy plates have digits at positions 3-7; found ${c}`);
      }
    }
    if (!LARGE_NEV_LAST.test(last)) {
      return fail(8, `large new-energy plates end in D or F; found ${JSON.stringify(last)}`);
    }
    return { ok: true, kind: "new-energy-large" };
  }
  if (!SMALL_NEV_FIRST.test(third)) {
    return fail(
      3,
      `new-energy plates start the serial with D or F (small) or digits (large); found ${JSON.stringify(third)}`,
    );
  }
  const problem = checkSerial(chars, 3, 4);
  if (problem) return problem;
  for (let i = 4; i < 8; i++) {
    const c = chars[i] ?? "";
    if (!DIGIT.test(c)) {
      return fail(i + 1, `small new-energy plates have digits at positions 5-8; found ${c}`);
    }
  }
  return { ok: true, kind: "new-energy-small" };
}
