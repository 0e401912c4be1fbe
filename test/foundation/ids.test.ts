import { describe, expect, it } from "vitest";
import { ID_PATTERN, newId } from "../../core/ids";

describe("ids", () => {
  it("are well formed and unique across many pool refills", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const id = newId("veh");
      expect(ID_PATTERN.test(id)).toBe(true);
      seen.add(id);
    }
    expect(seen.size).toBe(100_000);
  });

  it("sort by creation time", () => {
    const ids = [0, 1, 31, 32, 1_000_000, Date.now()].map((t) => newId("org", t));
    expect([...ids].sort()).toEqual(ids);
  });
});
