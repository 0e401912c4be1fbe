import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CREDIT_CODE_CHARSET,
  creditCodeCheckChar,
  validateCreditCode,
} from "../../core/validation/credit-code";

const CHARSET = Array.from(CREDIT_CODE_CHARSET);

// Authority → category pairs from GB 32100-2015 (as amended), written out independently of
// the implementation so the test is a second reading of the standard.
const AUTHORITY_CATEGORIES = [
  "11",
  "12",
  "13",
  "19",
  "21",
  "29",
  "31",
  "32",
  "33",
  "34",
  "35",
  "39",
  "41",
  "49",
  "51",
  "52",
  "53",
  "59",
  "61",
  "62",
  "69",
  "71",
  "72",
  "79",
  "81",
  "89",
  "91",
  "92",
  "93",
  "A1",
  "A9",
  "N1",
  "N2",
  "N3",
  "N9",
  "Y1",
];
const PROVINCES = ["11", "31", "44", "50", "62", "63", "64", "65", "71", "81", "82", "10"];

function replaceAt(s: string, index: number, c: string): string {
  return s.slice(0, index) + c + s.slice(index + 1);
}

const validCode = fc
  .tuple(
    fc.constantFrom(...AUTHORITY_CATEGORIES),
    fc.constantFrom(...PROVINCES),
    fc.stringMatching(/^[0-9]{4}$/),
    fc.array(fc.constantFrom(...CHARSET), { minLength: 9, maxLength: 9 }),
  )
  .map(([head, province, county, org]) => {
    const body = `${head}${province}${county}${org.join("")}`;
    return body + creditCodeCheckChar(body);
  });

describe("validateCreditCode", () => {
  describe("accepts published codes", () => {
    it.each([
      ["914403001922038216", "440300"], // Huawei Technologies Co., Ltd.
      ["9144030071526726XG", "440300"], // Tencent Technology (Shenzhen) Co., Ltd.
      ["91110108551385082Q", "110108"], // Xiaomi Technology Co., Ltd.
      ["91330000755918469E", "330000"],
      ["12440300MB2C92173E", "440300"], // a public institution (category 12)
      ["9135052155323005XL", "350521"],
    ])("%s (division %s)", (code, division) => {
      expect(validateCreditCode(code)).toEqual({ ok: true, divisionCode: division });
    });
  });

  it("maps a checksum remainder of 31 to the check character 0", () => {
    expect(creditCodeCheckChar("91650100000000013")).toBe("0");
    expect(validateCreditCode("916501000000000130")).toEqual({
      ok: true,
      divisionCode: "650100",
    });
  });

  describe("names the failing position", () => {
    it.each([
      ["91110000100000589B", 18, "should be A"],
      ["914403001922038217", 18, "should be 6"],
      ["9144030071526726xg", 17, "upper case"],
      ["", 1, "empty"],
      ["O14403001922038216", 1, "never used"],
      ["Z14403001922038216", 1, "never used"],
      ["B14403001922038216", 1, "unknown registration authority"],
      ["941403001922038216", 2, "not valid for authority 9"],
      ["Y24403001922038216", 2, "not valid for authority Y"],
      ["91A403001922038216", 3, "must be a digit"],
      ["9144030A1922038216", 8, "must be a digit"],
      ["917403001922038216", 3, "unknown province code 74"],
      ["9144030019220I8216", 14, "never used"],
      ["91440300192203821", 18, "missing"],
      ["9144030019220382160", 19, "expected 18"],
      ["91440300 1922038216", 9, "not allowed"],
    ])("%j fails at position %i", (code, position, message) => {
      const result = validateCreditCode(code);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.position).toBe(position);
        expect(result.message).toContain(message);
      }
    });
  });

  describe("properties", () => {
    it("every generated code with a computed check character validates", () => {
      fc.assert(
        fc.property(validCode, (code) => {
          expect(validateCreditCode(code)).toEqual({ ok: true, divisionCode: code.slice(2, 8) });
        }),
      );
    });

    it("the computed check character is never what a failure blames", () => {
      // Any 17 charset characters: structure may be wrong, but never position 18.
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...CHARSET), { minLength: 17, maxLength: 17 }),
          (c) => {
            const body = c.join("");
            const result = validateCreditCode(body + creditCodeCheckChar(body));
            if (!result.ok) expect(result.position).toBeLessThanOrEqual(8);
          },
        ),
      );
    });

    it("detects every single-character substitution and blames that field or position 18", () => {
      // Weights are powers of 3 mod the prime 31, all non-zero, so a substitution at any of
      // positions 1-17 always moves the checksum; position 18 is compared directly.
      fc.assert(
        fc.property(
          validCode,
          fc.integer({ min: 0, max: 17 }),
          fc.constantFrom(...CHARSET),
          (code, index, c) => {
            fc.pre(code[index] !== c);
            const result = validateCreditCode(replaceAt(code, index, c));
            expect(result.ok).toBe(false);
            // A new authority can make the category wrong (2); the province spans 3-4 (3).
            const blamed = [index + 1, 18];
            if (index === 0) blamed.push(2);
            if (index === 3) blamed.push(3);
            if (!result.ok) expect(blamed).toContain(result.position);
          },
        ),
        { numRuns: 2000 },
      );
    });

    it("detects every substitution of a published code, exhaustively", () => {
      const code = "9144030071526726XG";
      for (let index = 0; index < 18; index++) {
        for (const c of CHARSET) {
          if (c === code[index]) continue;
          expect(validateCreditCode(replaceAt(code, index, c)).ok).toBe(false);
        }
      }
    });

    it("detects swaps of adjacent differing characters within positions 1-17", () => {
      // Swapping a and b at i, i+1 moves the sum by (a - b)(w_i - w_i+1) = -2 w_i (a - b),
      // non-zero mod 31.
      fc.assert(
        fc.property(validCode, fc.integer({ min: 0, max: 15 }), (code, index) => {
          const a = code.charAt(index);
          const b = code.charAt(index + 1);
          fc.pre(a !== b);
          const swapped = replaceAt(replaceAt(code, index, b), index + 1, a);
          expect(validateCreditCode(swapped).ok).toBe(false);
        }),
      );
    });
  });
});

describe("creditCodeCheckChar", () => {
  it("computes the check character of a published code", () => {
    expect(creditCodeCheckChar("91440300192203821")).toBe("6");
    // So 91110000100000589B does not validate.
    expect(creditCodeCheckChar("91110000100000589")).toBe("A");
  });

  it.each(["9144030019220382", "914403001922038216", "9144030019220382I"])(
    "rejects %j, which is not 17 charset characters",
    (body) => {
      expect(() => creditCodeCheckChar(body)).toThrow(RangeError);
    },
  );
});
