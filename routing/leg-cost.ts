import type { CompiledIndex } from "./compile";

/*
 * What one leg costs, written once over the compiled index's arrays. The searches, the route
 * description and the reference graphs all call these, so their sums agree to the last bit.
 * They are tiny and allocate nothing so that V8 inlines them into the search's inner loop.
 */

/** A query's cargo as the cost functions weigh it. */
export interface Load {
  /** Actual tonnes (emissions, handling). */
  tonnes: number;
  /** Chargeable tonnes per mode index (volumetric weight). */
  charge: Float64Array;
  /** Per mode index: units (trucks, containers, aircraft loads) the volume alone needs. */
  volUnits: Float64Array;
  /** Per mode index: units the cargo needs at the mode's own payload (handled at hubs). */
  units: Float64Array;
}

/** Units of tonnes a payload carries, rounded up; a hair of slack against division rounding. */
export const unitsFor = (tonnes: number, payload: number): number =>
  Math.ceil(tonnes / payload - 1e-9);

/** Vehicles (trucks, containers, aircraft loads) the cargo needs on edge `e`. */
export const vehiclesOn = (ix: CompiledIndex, e: number, load: Load): number => {
  const byWeight = unitsFor(load.tonnes, ix.unitTonnes[e] as number);
  const byVolume = load.volUnits[ix.mode[e] as number] as number;
  return byWeight > byVolume ? byWeight : byVolume;
};

/**
 * USD to carry the cargo along edge `e`: its fixed charge for each vehicle plus its rate per
 * chargeable tonne.
 */
export const legUsd = (ix: CompiledIndex, e: number, load: Load): number =>
  (ix.fixedUsd[e] as number) * vehiclesOn(ix, e, load) +
  (ix.usdPerTonne[e] as number) * (load.charge[ix.mode[e] as number] as number);

/** Kg CO2e of carrying `tonnes` along edge `e`. */
export const legCo2e = (ix: CompiledIndex, e: number, tonnes: number): number =>
  (ix.co2ePerTonne[e] as number) * tonnes;

/**
 * A hub's handling figures are rows of four in `modeChange` or `gaugeChange`: hours, fixed USD
 * per unit handled, USD per tonne, kg CO2e per tonne. `o` is the hub's row offset (hub × 4).
 */
export const changeUsd = (table: Float64Array, o: number, tonnes: number, units: number): number =>
  (table[o + 1] as number) * units + (table[o + 2] as number) * tonnes;

export const changeCo2e = (table: Float64Array, o: number, tonnes: number): number =>
  (table[o + 3] as number) * tonnes;

/**
 * Row offset in `modeChange` for handling at hub `v` from mode index `from` onto `to` (at a
 * terminal both are the leg's mode): the loaded mode's own row, else the unloaded mode's, else
 * the hub's.
 */
export const handlingRow = (ix: CompiledIndex, v: number, from: number, to: number): number => {
  const rt = ix.modeRow[to] as number;
  if (rt >= 0) return rt;
  const rf = ix.modeRow[from] as number;
  return rf >= 0 ? rf : v * 4;
};
