/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015.
 *
 * Layout (1-based positions):
 *   1      registration authority (登记管理部门代码)
 *   2      organisation category (机构类别代码), allowed values depend on position 1
 *   3–8    administrative division of the registering office (GB/T 2260)
 *   9–17   organisation identifier (主体标识码)
 *   18     check character, ISO 7064 MOD 31-3 style
 */

/** The 31 characters the standard uses; I, O, S, V and Z are left out to avoid misreading. */
export const CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Weight for position i is 3^(i-1) mod 31. 3 is a primitive root mod 31, so every weight is
// non-zero mod the prime 31 and any single-character substitution changes the checksum.
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * Position 2 values allowed for each position 1 value, from the standard's table as amended
 * (A: Central Military Commission office, N: agricultural collectives, added after 2015).
 */
const CATEGORIES_BY_AUTHORITY: Readonly<Record<string, string>> = {
  "1": "1239", // 机构编制: organs, public institutions, mass organisations, other
  "2": "19", // 外交: resident foreign news agencies, other
  "3": "123459", // 司法行政: law firms, notaries, legal services, forensics, arbitration, other
  "4": "19", // 文化: foreign cultural centres, other
  "5": "1239", // 民政: social groups, private non-enterprise units, foundations, other
  "6": "129", // 旅游: foreign and HK/Macau/Taiwan tourism offices, other
  "7": "129", // 宗教: places of worship, religious schools, other
  "8": "19", // 工会: grass-roots unions, other
  "9": "123", // 工商: enterprises, individual businesses, farmers' co-operatives
  A: "19", // 中央军委改革和编制办公室: military public institutions, other
  N: "1239", // 农业: group-, village-, township-level collectives, other
  Y: "1", // 其他: not subdivided
};

/**
 * First two digits of GB/T 2260 division codes: the provinces, plus 10 for codes issued by
 * national-level registries (e.g. 100000). Only the province is checked: the full division
 * table changes every year and an outdated copy would reject real, older codes.
 */
const PROVINCE_PREFIXES = new Set([
  "10",
  "11",
  "12",
  "13",
  "14",
  "15",
  "21",
  "22",
  "23",
  "31",
  "32",
  "33",
  "34",
  "35",
  "36",
  "37",
  "41",
  "42",
  "43",
  "44",
  "45",
  "46",
  "50",
  "51",
  "52",
  "53",
  "54",
  "61",
  "62",
  "63",
  "64",
  "65",
  "71",
  "81",
  "82",
]);

export type CreditCodeResult =
  | { ok: true; divisionCode: string }
  | { ok: false; position: number; message: string };

function fail(position: number, message: string): CreditCodeResult {
  return { ok: false, position, message };
}

function describeChar(c: string): string {
  return JSON.stringify(c);
}

function charsetProblem(c: string, position: number): string {
  if ("IOSVZ".includes(c)) {
    return `character ${describeChar(c)} at position ${position} is never used in credit codes (I, O, S, V and Z are excluded)`;
  }
  if (/^[a-z]$/.test(c)) {
    return `character ${describeChar(c)} at position ${position} must be upper case`;
  }
  return `character ${describeChar(c)} at position ${position} is not allowed (use 0-9 and A-Y without I, O, S, V)`;
}

function checkValue(chars: readonly string[]): number {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += CREDIT_CODE_CHARSET.indexOf(chars[i] ?? "") * (WEIGHTS[i] ?? 0);
  }
  return (31 - (sum % 31)) % 31;
}

/**
 * Check character for the first 17 characters of a credit code, for generating valid codes in
 * tests and seed data. Throws RangeError on input that is not 17 characters of the charset.
 */
export function creditCodeCheckChar(first17: string): string {
  const chars = Array.from(first17);
  if (chars.length !== 17 || !chars.every((c) => CREDIT_CODE_CHARSET.includes(c))) {
    throw new RangeError(`expected 17 characters of ${CREDIT_CODE_CHARSET}, got ${first17}`);
  }
  return CREDIT_CODE_CHARSET.charAt(checkValue(chars));
}

/**
 * Validates a credit code exactly as given (callers trim and upper-case if they want to be
 * lenient). Problems are reported left to right so the first one named is the first to fix.
 *
 * Not checked: the full division table (see PROVINCE_PREFIXES) and the GB 11714 check digit
 * inside positions 9–17, which individual businesses (92…) do not carry.
 */
export function validateCreditCode(s: string): CreditCodeResult {
  const chars = Array.from(s);
  if (chars.length === 0) return fail(1, "credit code is empty; expected 18 characters");

  const authority = chars[0] ?? "";
  if (!CREDIT_CODE_CHARSET.includes(authority)) return fail(1, charsetProblem(authority, 1));
  const categories = CATEGORIES_BY_AUTHORITY[authority];
  if (categories === undefined) {
    return fail(
      1,
      `unknown registration authority ${describeChar(authority)} at position 1 (expected 1-9, A, N or Y)`,
    );
  }

  if (chars.length >= 2) {
    const category = chars[1] ?? "";
    if (!CREDIT_CODE_CHARSET.includes(category)) return fail(2, charsetProblem(category, 2));
    if (!categories.includes(category)) {
      const allowed = Array.from(categories).join(", ");
      return fail(
        2,
        `organisation category ${describeChar(category)} at position 2 is not valid for authority ${authority} (expected one of ${allowed})`,
      );
    }
  }

  for (let i = 2; i < Math.min(chars.length, 8); i++) {
    const c = chars[i] ?? "";
    if (!/^[0-9]$/.test(c)) {
      return fail(
        i + 1,
        `character ${describeChar(c)} at position ${i + 1} must be a digit (positions 3-8 are the division code)`,
      );
    }
  }
  if (chars.length >= 4) {
    const province = chars.slice(2, 4).join("");
    if (!PROVINCE_PREFIXES.has(province)) {
      return fail(
        3,
        `division code at positions 3-8 starts with unknown province code ${province}`,
      );
    }
  }

  for (let i = 8; i < Math.min(chars.length, 18); i++) {
    const c = chars[i] ?? "";
    if (!CREDIT_CODE_CHARSET.includes(c)) return fail(i + 1, charsetProblem(c, i + 1));
  }

  if (chars.length < 18) {
    return fail(
      chars.length + 1,
      `credit code has ${chars.length} characters; expected 18 (position ${chars.length + 1} is missing)`,
    );
  }
  if (chars.length > 18) {
    return fail(19, `credit code has ${chars.length} characters; expected 18`);
  }

  const expected = CREDIT_CODE_CHARSET.charAt(checkValue(chars));
  if (chars[17] !== expected) {
    return fail(18, `check character at position 18 should be ${expected}, not ${chars[17] ?? ""}`);
  }
  return { ok: true, divisionCode: chars.slice(2, 8).join("") };
}
