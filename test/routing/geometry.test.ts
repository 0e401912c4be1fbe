import { describe, expect, it } from "vitest";
import { checkLinkGeometry, DETOUR_FLAG_RATIO, greatCircleKm } from "../../routing/geometry";
import type { NetworkData } from "../../routing/types";
import { NetworkError, validateNetwork } from "../../routing/validate";
import { loadSeedNetwork } from "../../seed/network";
import { syntheticNetwork } from "../../seed/synthetic-network";
import { seedNetwork } from "./support";

const clone = (): NetworkData => structuredClone(seedNetwork);
const link = (d: NetworkData, id: string) => {
  const l = d.links.find((x) => x.id === id);
  if (!l) throw new Error(`no link ${id} in the seeded network`);
  return l;
};

describe("links against the great circle between their hubs", () => {
  it("refuses, by record, a link shorter than the great circle", () => {
    const d = clone();
    // The old figure: 65 km is Kashgar to the Chinese port of entry, not to the pass.
    link(d, "D-KHG-TRG").distanceKm = 65;
    expect(() => validateNetwork(d)).toThrow(NetworkError);
    expect(() => validateNetwork(d)).toThrow(
      /link D-KHG-TRG: distanceKm 65 is shorter than the great circle CN-KHG–CN-TRG \(133\.\d km\)/,
    );
  });

  it("flags, with the ratio, a link over 2.2× the great circle that gives no reason", () => {
    const d = clone();
    link(d, "R-URC-KUY").distanceKm = 600;
    expect(() => validateNetwork(d)).not.toThrow();
    expect(checkLinkGeometry(d).flags).toEqual([
      { linkId: "R-URC-KUY", distanceKm: 600, greatCircleKm: 226.7, ratio: 2.65 },
    ]);
    link(d, "R-URC-KUY").detourReason = "test: a detour round a closed line";
    expect(checkLinkGeometry(d).flags).toEqual([]);
  });

  it("the seeded network passes: nothing refused, nothing flagged at load", () => {
    const flagged: string[] = [];
    loadSeedNetwork({ onDetourFlag: (m) => flagged.push(m) });
    expect(flagged).toEqual([]);
    expect(checkLinkGeometry(seedNetwork)).toEqual({ refused: [], flags: [] });
  });

  it("lists the seeded links over 2.2× the great circle, each with its reason", () => {
    const hubs = new Map(seedNetwork.hubs.map((h) => [h.code, h]));
    const long = seedNetwork.links.flatMap((l) => {
      const a = hubs.get(l.from);
      const b = hubs.get(l.to);
      if (!a || !b) return [];
      const ratio = l.distanceKm / greatCircleKm(a, b);
      return ratio > DETOUR_FLAG_RATIO ? [{ id: l.id, ratio: Math.round(ratio * 100) / 100 }] : [];
    });
    // Today only the deep-sea lanes to Hamburg and Rotterdam, round Asia and through Suez.
    expect(long.map((l) => l.id).sort()).toEqual(["S-LYG-HAM", "S-LYG-RTM", "S-SHA-HAM"]);
    for (const { id } of long) expect(link(seedNetwork, id).detourReason, id).toMatch(/Suez/);
  });

  it("the hubs the issue found misplaced or missing are where they should be", () => {
    const hub = (code: string) => seedNetwork.hubs.find((h) => h.code === code);
    // Torugart at the pass, 40°35′33″N 75°25′38″E (Wikipedia, "Torugart Pass").
    expect(hub("CN-TRG")).toMatchObject({ lat: 40.5925, lon: 75.4272 });
    for (const code of ["CN-CKG", "CN-LYG", "CN-SHA", "CN-CGO"]) {
      expect(hub(code)?.divisionCode, code).toMatch(/^[1-8][0-9]{5}$/);
    }
    for (const code of ["KZ-KUR", "GE-BUS", "PL-LDZ", "PK-KHI", "NL-RTM", "DE-HAM"]) {
      expect(hub(code), code).toBeDefined();
    }
  });

  it("freight runs on the conventional lines, not the high-speed ones beside them", () => {
    // Zhongwei–Lanzhou high-speed: 218.5 km (Lanzhou Morning Post, 2021-05-31). The Baolan line
    // via Gantang is longer: Gantang–Wuwei 172.2 km (Lanzhou Evening News, 2017-01-05) saves
    // 345 km against Gantang–Lanzhou–Wuwei, which puts Zhongwei–Lanzhou at about 324 km.
    const zhy = link(seedNetwork, "R-ZHY-LHW");
    expect(zhy.distanceKm).toBeGreaterThan(300);
    expect(zhy.distanceKm).toBeLessThan(350);
  });

  it("the synthetic benchmark network passes too (10,000 hubs; the detour is 1.05–1.4 at any size)", () => {
    const data = syntheticNetwork({
      hubs: 10_000,
      links: 40_000,
      seed: 20_260_401,
      emissionFactors: seedNetwork.emissionFactors,
      handling: { ...seedNetwork.handling, byHub: {} },
    });
    expect(() => validateNetwork(data)).not.toThrow();
    expect(checkLinkGeometry(data).flags).toEqual([]);
  });
});
