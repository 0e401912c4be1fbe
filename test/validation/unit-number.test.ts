import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  containerCheckDigit,
  validateUnitNumber,
  wagonCheckDigit,
} from "../../core/validation/unit-number";

describe("validateUnitNumber", () => {
  describe("recognises", () => {
    it.each([
      ["sea", "CSQU3054383", "iso6346-container"], // the worked example of ISO 6346
      ["sea", "CSQU 305438 3", "iso6346-container"],
      ["rail", "CSQU3054383", "iso6346-container"],
      ["road", "CSQU3054383", "iso6346-container"],
      ["sea", "IMO 9074729", "imo-ship"],
      ["sea", "IMO9074729", "imo-ship"],
      ["rail", "1504321", "cn-wagon"],
      ["rail", "60123452", "wagon-1520"],
      ["rail", "54356787", "wagon-1520"],
      ["rail", "505126180015", "uic-wagon"],
      ["rail", "50 51 26-18 001-5", "uic-wagon"],
      ["rail", "21 80 155 9 084-5", "uic-wagon"],
      ["air", "B-2345", "aircraft-registration"],
      ["air", "B-30AA", "aircraft-registration"],
      ["air", "B-HPB", "aircraft-registration"],
      ["air", "UP-A3001", "aircraft-registration"],
      ["air", "N123AB", "aircraft-registration"],
      ["air", "AKE12345CA", "iata-uld"],
      ["road", "京A12345", "cn-plate"],
      ["road", "粤B1234挂", "cn-plate"],
      ["road", "123 ABC 02", "generic"],
      ["rail", "C70 1504321", "generic"],
      ["sea", "MSC ANNA", "generic"],
    ] as const)("%s %j as %s", (mode, value, format) => {
      expect(validateUnitNumber(mode, value)).toEqual({ ok: true, format });
    });
  });

  describe("rejects", () => {
    it.each([
      ["sea", "CSQU3054384", 11, "should be 3"],
      ["rail", "CSQU305438", 11, "missing its check digit"],
      ["sea", "IMO 9074728", 11, "should be 9"],
      ["rail", "60123453", 8, "should be 2"],
      ["rail", "505126180016", 12, "should be 5"],
      ["road", "京I12345", 2, "other than I and O"],
      ["road", "", 1, "empty"],
    ] as const)("%s %j at position %i", (mode, value, position, message) => {
      const result = validateUnitNumber(mode, value);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.position).toBe(position);
        expect(result.message).toContain(message);
      }
    });

    it.each([
      ["air", "b-2345"],
      ["sea", "-ABC"],
      ["road", "A"],
      ["rail", "A".repeat(21)],
      ["road", "ТС 1234"],
    ] as const)("%s %j by the fallback pattern", (mode, value) => {
      const result = validateUnitNumber(mode, value);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toContain("2-20 characters");
    });
  });

  describe("check digits", () => {
    it("container letter values skip multiples of 11", () => {
      // CSQU305438: C=13, S=30, Q=28, U=32 in ISO 6346.
      expect(containerCheckDigit("CSQU305438")).toBe(3);
    });

    it("every container number with its computed check digit validates", () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[A-Z]{3}[UJZR][0-9]{6}$/),
          fc.constantFrom("road", "rail", "sea", "air" as const),
          (body, mode) => {
            const code = `${body}${containerCheckDigit(body)}`;
            expect(validateUnitNumber(mode, code)).toEqual({
              ok: true,
              format: "iso6346-container",
            });
          },
        ),
      );
    });

    it("wagon digits complete the Luhn sum to a multiple of ten", () => {
      expect(wagonCheckDigit("50512618001")).toBe(5);
      fc.assert(
        fc.property(fc.stringMatching(/^[0-9]{7}$/), (body) => {
          expect(validateUnitNumber("rail", `${body}${wagonCheckDigit(body)}`)).toEqual({
            ok: true,
            format: "wagon-1520",
          });
        }),
      );
    });
  });
});
