/** Shapes of the network data files (`seed/network/*.json`) and of the routing model. */

export const MODES = ["road", "rail", "sea", "air"] as const;
export type Mode = (typeof MODES)[number];

/**
 * Dangerous-goods classes as the UN Model Regulations classify them: classes, and the divisions
 * of classes 1, 2, 4, 5 and 6. A link forbids some of them; the engine keeps them as a bit mask
 * in this order.
 */
export const DG_CLASSES = [
  "1.1",
  "1.2",
  "1.3",
  "1.4",
  "1.5",
  "1.6",
  "2.1",
  "2.2",
  "2.3",
  "3",
  "4.1",
  "4.2",
  "4.3",
  "5.1",
  "5.2",
  "6.1",
  "6.2",
  "7",
  "8",
  "9",
] as const;

export type DgClass = (typeof DG_CLASSES)[number];

export const GAUGES = [1435, 1520] as const;
export type Gauge = (typeof GAUGES)[number];

export interface HubRecord {
  code: string;
  name: string;
  nameZh: string;
  country: string;
  lat: number;
  lon: number;
  kind: string;
  divisionCode?: string;
  modes: Mode[];
  railGauges?: number[];
  source?: string;
  approx?: boolean;
  localName?: string;
}

export interface LinkCost {
  fixedUsd: number;
  usdPerTonneKm: number;
  currency: string;
  source?: string;
  approx?: boolean;
}

export interface LinkRecord {
  id: string;
  from: string;
  to: string;
  mode: Mode;
  bidirectional?: boolean;
  distanceKm: number;
  speedKmh?: number;
  durationHours?: number;
  gauge?: number;
  maxWeightKg?: number;
  forbiddenDangerousGoods?: string[];
  cost: LinkCost;
  emissionFactor: string;
  crossing?: string;
  transitCountries?: string[];
  /** Status in the data itself; admins override it at run time. */
  status?: "open" | "closed";
  note?: string;
  /**
   * Why the link is more than 2.2× the great circle between its hubs (a mountain road, a sea
   * lane around a peninsula); without it such a link is flagged at load.
   */
  detourReason?: string;
}

export interface WeeklyWindow {
  /** ISO weekdays, 1 = Monday … 7 = Sunday, in the crossing's local time. */
  days: number[];
  open: string;
  close: string;
}

export interface SeasonalClosure {
  /** MM-DD, inclusive. */
  from: string;
  /** MM-DD, exclusive. */
  to: string;
  reason: string;
}

export interface CalendarRecord {
  utcOffsetHours: number;
  always?: boolean;
  weekly?: WeeklyWindow[];
  seasonalClosures?: SeasonalClosure[];
  source?: string;
}

export interface CrossingRecord {
  id: string;
  name: string;
  countries: string[];
  mode: Mode;
  dwellHours: { typical: number; badDay: number };
  dwellSource?: string;
  /** What the bad-day dwell assumes (which reported crisis it stands for), in a sentence. */
  badDayBasis?: string;
  approx?: boolean;
  calendar: CalendarRecord;
  note?: string;
}

export interface HandlingRecord {
  hours: number;
  fixedUsd: number;
  usdPerTonne: number;
  co2eKgPerTonne: number;
  source?: string;
  approx?: boolean;
}

export interface TransshipmentRecord extends HandlingRecord {
  hub: string;
  gauges: number[];
  method: string;
}

/**
 * The unit a mode carries cargo in (a truck, a 40 ft container, an aircraft load): a consignment
 * larger than one goes as several, each paying the link's fixed charge.
 */
export interface VehicleRecord {
  /** What one unit is, e.g. "truck", "40 ft container", "aircraft load". */
  unit: string;
  payloadKg: number;
  volumeM3: number;
  /**
   * What a link's maxWeightKg limits for this mode: "vehicle" — each unit (a truck, an
   * aircraft), so more units go; "consist" — the train or ship carrying all the units, so a
   * heavier consignment may not use the link.
   */
  linkLimit: "vehicle" | "consist";
  source?: string;
  approx?: boolean;
}

export interface HandlingTable {
  byKind: Record<string, HandlingRecord>;
  byHub: Record<string, HandlingRecord>;
  volumetricKgPerM3: Record<Mode, number>;
  /**
   * Modes that load and unload at a terminal, so a route's first and last legs by them pay the
   * hub's handling at the origin and destination; road goes door to door (loading is in its rate).
   */
  terminalHandling: Record<Mode, boolean>;
  vehicles: Record<Mode, VehicleRecord>;
  /**
   * Handling wherever cargo is loaded onto or off a mode, in place of the hub's record (air: an
   * air cargo terminal charges per kg whatever kind of hub it is in).
   */
  byMode?: Partial<Record<Mode, HandlingRecord>>;
}

export interface EmissionFactor {
  mode: Mode;
  /** g CO2e per tonne-km, well-to-wheel. */
  value: number;
  source: string;
  approx?: boolean;
}

export interface EmissionFactorTable {
  version: string;
  standard: string;
  basis: string;
  unit: string;
  factors: Record<string, EmissionFactor>;
}

/** The whole network as the data files describe it. */
export interface NetworkData {
  hubs: HubRecord[];
  links: LinkRecord[];
  crossings: CrossingRecord[];
  transshipments: TransshipmentRecord[];
  handling: HandlingTable;
  emissionFactors: EmissionFactorTable;
}

/** Node attributes of the editable graph model. */
export interface HubAttrs extends HubRecord {
  transshipment?: TransshipmentRecord;
  handling: HandlingRecord;
}

/** Edge attributes of the editable graph model: one directed edge per usable direction. */
export interface LinkAttrs {
  linkId: string;
  from: string;
  to: string;
  mode: Mode;
  distanceKm: number;
  /** Travel time, without the crossing's dwell. */
  travelHours: number;
  gauge?: Gauge;
  maxWeightKg: number;
  forbiddenDangerousGoods: string[];
  fixedUsd: number;
  usdPerTonneKm: number;
  emissionFactor: string;
  crossing?: string;
  /** Countries touched: both ends and any transit country, deduplicated, sorted. */
  countries: string[];
}

/** A named corridor (`corridors.json`): a waybill travelling one of its links belongs to it. */
export interface Corridor {
  id: string;
  name: string;
  nameZh: string;
  links: string[];
  hubs: string[];
  crossings: string[];
  source: { publication: string; url?: string; date?: string };
}
