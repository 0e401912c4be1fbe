import type { CompiledIndex } from "./compile";

/*
 * What one leg costs, written once over the compiled index's arrays. The searches, the route
 * description and the reference graphs all call these, so their sums agree to the last bit.
 * They are tiny and allocate nothing so that V8 inlines them into the search's inner loop.
 */

/** USD to carry the cargo along edge `e`: its fixed charge plus its rate per chargeable tonne. */
export const legUsd = (ix: CompiledIndex, e: number, charge: Float64Array): number =>
  (ix.fixedUsd[e] as number) +
  (ix.usdPerTonne[e] as number) * (charge[ix.mode[e] as number] as number);

/** Kg CO2e of carrying `tonnes` along edge `e`. */
export const legCo2e = (ix: CompiledIndex, e: number, tonnes: number): number =>
  (ix.co2ePerTonne[e] as number) * tonnes;

/**
 * A hub change's figures are rows of four in `modeChange` or `gaugeChange`: hours, fixed USD,
 * USD per tonne, kg CO2e per tonne. `o` is the hub's row offset (hub × 4).
 */
export const changeUsd = (table: Float64Array, o: number, tonnes: number): number =>
  (table[o + 1] as number) + (table[o + 2] as number) * tonnes;

export const changeCo2e = (table: Float64Array, o: number, tonnes: number): number =>
  (table[o + 3] as number) * tonnes;
