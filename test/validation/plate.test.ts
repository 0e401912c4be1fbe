import { describe, expect, it } from "vitest";
import { PLATE_PROVINCES, validateChinesePlate } from "../../core/validation/plate";

describe("validateChinesePlate", () => {
  describe("accepts", () => {
    it.each([
      ["京A12345", "ordinary"],
      ["新A8B7C6", "ordinary"],
      ["陕AZ9999", "ordinary"],
      ["粤B1234挂", "trailer"],
      ["鲁A1A34挂", "trailer"],
      ["京A1234学", "coach"],
      ["粤B1234警", "police"],
      ["粤Z1234港", "hong-kong"],
      ["粤Z1234澳", "macau"],
      ["京AD12345", "new-energy-small"],
      ["沪AF12345", "new-energy-small"],
      ["浙ADA1234", "new-energy-small"],
      ["粤BA12345", "new-energy-small"],
      ["沪A12345D", "new-energy-large"],
      ["新A12345F", "new-energy-large"],
    ])("%s as %s", (plate, kind) => {
      expect(validateChinesePlate(plate)).toEqual({ ok: true, kind });
    });

    it("every listed province abbreviation", () => {
      expect(PLATE_PROVINCES).toHaveLength(31);
      for (const p of PLATE_PROVINCES) {
        expect(validateChinesePlate(`${p}A12345`).ok).toBe(true);
      }
    });
  });

  describe("names the failing position", () => {
    it.each([
      ["", 1, "empty"],
      ["A12345", 1, "province"],
      ["港A12345", 1, "province"],
      ["京", 2, "letter"],
      ["京I12345", 2, "other than I and O"],
      ["京112345", 2, "letter"],
      ["京A1234", 7, "expected 7 or 8"],
      ["京A1234567", 9, "expected 7 or 8"],
      ["京A12O45", 5, "I and O are not used"],
      ["京A12#45", 5, "expected A-Z or 0-9"],
      ["京A123456", 8, "end in D or F"],
      ["京A12D45F", 5, "digits at positions 3-7"],
      ["京AX12345", 3, "D or F"],
      ["京AD12A45", 6, "digits at positions 5-8"],
      ["京AD1I345", 5, "digits at positions 5-8"],
      ["京ADI2345", 4, "I and O are not used"],
      ["京AD1234挂", 8, "4 serial characters"],
      ["京A1234港", 1, "粤Z"],
      ["粤B12O4挂", 5, "I and O"],
      ["京a12345", 2, "letter"],
    ])("%j fails at position %i", (plate, position, message) => {
      const result = validateChinesePlate(plate);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.position).toBe(position);
        expect(result.message).toContain(message);
      }
    });
  });
});
