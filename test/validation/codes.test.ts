import { describe, expect, it } from "vitest";
import { COUNTRY_CODES, isCountryCode } from "../../core/validation/countries";
import { CURRENCY_CODES, isCurrencyCode } from "../../core/validation/currencies";
import { DG_CLASSES, isDgClass, validateUnNumber } from "../../core/validation/dangerous-goods";
import { validateHsCode } from "../../core/validation/hs-code";

function sortedUnique(list: readonly string[]): boolean {
  return list.every((c, i) => i === 0 || (list[i - 1] ?? "") < c);
}

describe("countries (ISO 3166-1 alpha-2)", () => {
  it("lists the 249 assigned codes once each, in order", () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    expect(sortedUnique(COUNTRY_CODES)).toBe(true);
    for (const c of COUNTRY_CODES) expect(c).toMatch(/^[A-Z]{2}$/);
  });

  it.each(["CN", "KZ", "UZ", "KG", "TJ", "PK", "RU", "MN", "AF", "TR", "AX", "SS", "BQ"])(
    "%s is a country",
    (c) => {
      expect(isCountryCode(c)).toBe(true);
    },
  );

  it.each(["cn", "XK", "UK", "EU", "AN", "CS", "", "CHN"])("%j is not", (c) => {
    expect(isCountryCode(c)).toBe(false);
  });
});

describe("currencies (ISO 4217)", () => {
  it("lists three-letter codes once each, in order", () => {
    expect(sortedUnique(CURRENCY_CODES)).toBe(true);
    for (const c of CURRENCY_CODES) expect(c).toMatch(/^[A-Z]{3}$/);
  });

  it.each(["CNY", "KZT", "UZS", "KGS", "TJS", "PKR", "RUB", "USD", "EUR", "XCG", "ZWG", "SLE"])(
    "%s is active",
    (c) => {
      expect(isCurrencyCode(c)).toBe(true);
    },
  );

  it.each(["HRK", "CUC", "ANG", "ZWL", "SLL", "BGN", "RUR", "cny", "CN", ""])(
    "%j is not (withdrawn or malformed)",
    (c) => {
      expect(isCurrencyCode(c)).toBe(false);
    },
  );
});

describe("validateHsCode", () => {
  it.each([
    ["847130", "84"],
    ["84713000", "84"],
    ["847130000", "84"],
    ["8471300000", "84"],
    ["010121", "01"],
    ["970110", "97"],
    ["760120", "76"],
    ["780110", "78"],
  ])("accepts %s (chapter %s)", (code, chapter) => {
    expect(validateHsCode(code)).toEqual({ ok: true, chapter });
  });

  it.each([
    ["770000", "unknown HS chapter 77"],
    ["000000", "unknown HS chapter 00"],
    ["980000", "unknown HS chapter 98"],
    ["990000", "unknown HS chapter 99"],
    ["84713", "6 to 10 digits"],
    ["84713000001", "6 to 10 digits"],
    ["8471.30", "digits only"],
    ["", "digits only"],
  ])("rejects %j: %s", (code, message) => {
    expect(validateHsCode(code)).toEqual({ ok: false, message: expect.stringContaining(message) });
  });
});

describe("dangerous goods", () => {
  it("lists the 20 classes and divisions", () => {
    expect(DG_CLASSES).toHaveLength(20);
  });

  it.each(["1.1", "1.6", "2.3", "3", "4.3", "5.2", "6.2", "7", "8", "9"])("%s is a class", (c) => {
    expect(isDgClass(c)).toBe(true);
  });

  it.each(["1", "2", "1.7", "2.4", "6.3", "10", "3.0", ""])("%j is not", (c) => {
    expect(isDgClass(c)).toBe(false);
  });

  it.each([
    ["UN1203", "UN1203"],
    ["1203", "UN1203"],
    ["UN 1203", "UN1203"],
    ["UN0004", "UN0004"],
    ["UN3549", "UN3549"],
    ["UN3552", "UN3552"],
  ])("accepts %j as %s", (value, unNumber) => {
    expect(validateUnNumber(value)).toEqual({ ok: true, unNumber });
  });

  it.each([
    ["UN0003", "outside"],
    ["UN3600", "outside"],
    ["UN12034", "4 digits"],
    ["un1203", "4 digits"],
    ["NA1993", "4 digits"],
    ["UN  1203", "4 digits"],
    ["", "4 digits"],
  ])("rejects %j", (value, message) => {
    expect(validateUnNumber(value)).toEqual({
      ok: false,
      message: expect.stringContaining(message),
    });
  });
});
