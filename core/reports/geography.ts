import type { Place } from "../../db/schema";
import type { RoutingEngine } from "../../routing/engine";
import type { Corridor, HubRecord, LinkRecord, Mode } from "../../routing/types";

export type Level = "country" | "province" | "prefecture";
export type Lang = "zh" | "en";

/** Chinese province names by the first two digits of a GB/T 2260 code. */
const PROVINCES: Record<string, { en: string; zh: string }> = {
  "11": { en: "Beijing", zh: "北京市" },
  "31": { en: "Shanghai", zh: "上海市" },
  "44": { en: "Guangdong", zh: "广东省" },
  "61": { en: "Shaanxi", zh: "陕西省" },
  "62": { en: "Gansu", zh: "甘肃省" },
  "63": { en: "Qinghai", zh: "青海省" },
  "64": { en: "Ningxia", zh: "宁夏回族自治区" },
  "65": { en: "Xinjiang", zh: "新疆维吾尔自治区" },
};

const COUNTRIES: Record<string, { en: string; zh: string }> = {
  CN: { en: "China", zh: "中国" },
  KZ: { en: "Kazakhstan", zh: "哈萨克斯坦" },
  KG: { en: "Kyrgyzstan", zh: "吉尔吉斯斯坦" },
  UZ: { en: "Uzbekistan", zh: "乌兹别克斯坦" },
  PK: { en: "Pakistan", zh: "巴基斯坦" },
  AE: { en: "United Arab Emirates", zh: "阿联酋" },
  RU: { en: "Russia", zh: "俄罗斯" },
  BY: { en: "Belarus", zh: "白俄罗斯" },
  PL: { en: "Poland", zh: "波兰" },
  DE: { en: "Germany", zh: "德国" },
  AZ: { en: "Azerbaijan", zh: "阿塞拜疆" },
  GE: { en: "Georgia", zh: "格鲁吉亚" },
  TR: { en: "Türkiye", zh: "土耳其" },
  RO: { en: "Romania", zh: "罗马尼亚" },
  HU: { en: "Hungary", zh: "匈牙利" },
};

const MODE_NAMES: Record<string, { en: string; zh: string }> = {
  road: { en: "Road", zh: "公路" },
  rail: { en: "Rail", zh: "铁路" },
  sea: { en: "Sea", zh: "水运" },
  air: { en: "Air", zh: "航空" },
};

const EARTH_KM = 6371;

function greatCircleKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A Chinese prefecture code (`650100`) rolled up to `level`; foreign areas are countries. */
export function areaAt(area: string, level: Level): string {
  if (!/^\d{6}$/.test(area)) return area;
  if (level === "country") return "CN";
  if (level === "province") return `${area.slice(0, 2)}0000`;
  return area;
}

export interface LegRoute {
  km: number;
  links: { id: string; km: number; factor: number }[];
  /** g CO2e per tonne-km for the part not on a known link. */
  factor: number;
}

/**
 * The network's geography as reports see it: areas of places, leg distances over the links,
 * border ports, corridors, emission factors and labels. Pure, built once per network.
 */
export class ReportGeography {
  private readonly hubs: readonly HubRecord[];
  private readonly byCode: ReadonlyMap<string, HubRecord>;
  private readonly factors: Record<string, number>;
  private readonly defaultFactor = new Map<string, number>();
  private readonly adjacency = new Map<string, { to: string; link: LinkRecord }[]>();
  private readonly routes = new Map<string, LegRoute>();
  private readonly corridorOfLink = new Map<string, number>();
  readonly ports: ReadonlySet<string>;
  readonly gaugeHubs: ReadonlySet<string>;

  constructor(
    readonly network: RoutingEngine,
    readonly corridors: readonly Corridor[],
  ) {
    const data = network.data;
    this.hubs = data.hubs;
    this.byCode = new Map(data.hubs.map((h) => [h.code, h]));
    this.factors = Object.fromEntries(
      Object.entries(data.emissionFactors.factors).map(([k, f]) => [k, f.value]),
    );
    const ports = new Set<string>();
    const counts = new Map<string, Map<string, number>>();
    for (const link of data.links) {
      if (link.crossing) ports.add(link.from).add(link.to);
      const byMode = counts.get(link.mode) ?? new Map<string, number>();
      byMode.set(link.emissionFactor, (byMode.get(link.emissionFactor) ?? 0) + 1);
      counts.set(link.mode, byMode);
      this.addEdge(link.from, link.to, link);
      if (link.bidirectional) this.addEdge(link.to, link.from, link);
    }
    // Off the links, a mode's most used factor stands for it.
    for (const [mode, byId] of counts) {
      const [id] = [...byId].sort((a, b) => b[1] - a[1])[0] ?? [];
      if (id) this.defaultFactor.set(mode, this.factors[id] ?? 0);
    }
    this.ports = ports;
    this.gaugeHubs = new Set(data.transshipments.map((t) => t.hub));
    corridors.forEach((c, i) => {
      for (const id of c.links) if (!this.corridorOfLink.has(id)) this.corridorOfLink.set(id, i);
    });
  }

  private addEdge(from: string, to: string, link: LinkRecord): void {
    const list = this.adjacency.get(`${from}|${link.mode}`) ?? [];
    list.push({ to, link });
    this.adjacency.set(`${from}|${link.mode}`, list);
  }

  hub(code: string): HubRecord | undefined {
    return this.byCode.get(code);
  }

  private nearestHub(p: { lat: number; lon: number }, among?: ReadonlySet<string>): HubRecord {
    let best: HubRecord | undefined;
    let bestKm = Number.POSITIVE_INFINITY;
    for (const h of this.hubs) {
      if (among && !among.has(h.code)) continue;
      const km = greatCircleKm(p, h);
      if (km < bestKm) [best, bestKm] = [h, km];
    }
    if (!best) throw new Error("the network has no hubs");
    return best;
  }

  /** The hub a place is at: its own, else the nearest (in its country when it names one). */
  hubOf(place: Place): HubRecord {
    const own = place.hub ? this.byCode.get(place.hub) : undefined;
    if (own) return own;
    const nearest = this.nearestHub(place);
    return place.country && nearest.country !== place.country
      ? { ...nearest, divisionCode: undefined, country: place.country }
      : nearest;
  }

  /** Prefecture code in China (first four digits of the hub's division + `00`), else country. */
  areaOf(place: Place): string {
    const hub = this.hubOf(place);
    if (hub.country === "CN" && hub.divisionCode) return `${hub.divisionCode.slice(0, 4)}00`;
    return hub.country;
  }

  /** The border port a place is at: its hub if a port, else the nearest port. */
  portOf(place: Place): string {
    if (place.hub && this.ports.has(place.hub)) return place.hub;
    return this.nearestHub(place, this.ports).code;
  }

  factorOf(mode: Mode, linkFactor?: string): number {
    return (linkFactor ? this.factors[linkFactor] : undefined) ?? this.defaultFactor.get(mode) ?? 0;
  }

  /**
   * A leg's distance: the link between its hubs for its mode, else the shortest path by
   * distance over that mode's links, else the great circle.
   */
  legRoute(from: Place, to: Place, mode: Mode): LegRoute {
    const a = this.hubOf(from).code;
    const b = this.hubOf(to).code;
    const key = `${a}|${b}|${mode}`;
    let route = this.routes.get(key);
    if (!route) {
      route = this.shortest(a, b, mode) ?? {
        km: greatCircleKm(from, to),
        links: [],
        factor: this.factorOf(mode),
      };
      this.routes.set(key, route);
    }
    return route;
  }

  private shortest(from: string, to: string, mode: Mode): LegRoute | undefined {
    if (from === to) return undefined;
    const dist = new Map<string, number>([[from, 0]]);
    const prev = new Map<string, { at: string; link: LinkRecord }>();
    const open = new Set([from]);
    while (open.size > 0) {
      let at = "";
      let best = Number.POSITIVE_INFINITY;
      for (const h of open) {
        const d = dist.get(h) ?? Number.POSITIVE_INFINITY;
        if (d < best) [at, best] = [h, d];
      }
      open.delete(at);
      if (at === to) break;
      for (const { to: next, link } of this.adjacency.get(`${at}|${mode}`) ?? []) {
        const d = best + link.distanceKm;
        if (d < (dist.get(next) ?? Number.POSITIVE_INFINITY)) {
          dist.set(next, d);
          prev.set(next, { at, link });
          open.add(next);
        }
      }
    }
    if (!prev.has(to)) return undefined;
    const links: LegRoute["links"] = [];
    for (let at = to; at !== from; ) {
      const step = prev.get(at);
      if (!step) break;
      links.unshift({
        id: step.link.id,
        km: step.link.distanceKm,
        factor: this.factorOf(mode, step.link.emissionFactor),
      });
      at = step.at;
    }
    return { km: dist.get(to) ?? 0, links, factor: this.factorOf(mode) };
  }

  /** The first corridor (in the data's order) one of whose links the waybill travels. */
  corridorOf(linkIds: Iterable<string>): string {
    let best = Number.POSITIVE_INFINITY;
    for (const id of linkIds) best = Math.min(best, this.corridorOfLink.get(id) ?? best);
    return this.corridors[best]?.id ?? "none";
  }

  linkOf(id: string): LinkRecord | undefined {
    return this.network.data.links.find((l) => l.id === id);
  }

  areaLabel(area: string, lang: Lang): string {
    if (/^\d{6}$/.test(area)) {
      if (area.endsWith("0000")) return PROVINCES[area.slice(0, 2)]?.[lang] ?? area;
      const hub = this.hubs.find((h) => h.divisionCode?.startsWith(area.slice(0, 4)));
      return hub ? (lang === "zh" ? hub.nameZh : hub.name) : area;
    }
    return COUNTRIES[area]?.[lang] ?? area;
  }

  hubLabel(code: string, lang: Lang): string {
    const hub = this.byCode.get(code);
    if (!hub) return code;
    return lang === "zh" ? hub.nameZh || hub.name : hub.name;
  }

  corridorLabel(id: string, lang: Lang): string {
    const c = this.corridors.find((x) => x.id === id);
    if (!c) return lang === "zh" ? "其他" : "Other";
    return lang === "zh" ? c.nameZh : c.name;
  }

  linkLabel(id: string, lang: Lang): string {
    const link = this.linkOf(id);
    if (!link) return id;
    return `${this.hubLabel(link.from, lang)} – ${this.hubLabel(link.to, lang)}`;
  }

  modeLabel(mode: string, lang: Lang): string {
    return MODE_NAMES[mode]?.[lang] ?? mode;
  }
}

const built = new WeakMap<RoutingEngine, WeakMap<readonly Corridor[], ReportGeography>>();

/** One geography per network and corridor list, built on first use from what ctx carries. */
export function geographyOf(
  network: RoutingEngine,
  corridors: readonly Corridor[],
): ReportGeography {
  let byCorridors = built.get(network);
  if (!byCorridors) {
    byCorridors = new WeakMap();
    built.set(network, byCorridors);
  }
  let geo = byCorridors.get(corridors);
  if (!geo) {
    geo = new ReportGeography(network, corridors);
    byCorridors.set(corridors, geo);
  }
  return geo;
}
