import { CNY_RATES } from "./facts";
import type { Lang, ReportGeography } from "./geography";
import {
  type Cell,
  dwellQuantiles,
  groupCells,
  type ReportBuilder,
  type ReportInput,
  type ReportName,
  type Row,
  ratio,
  round,
  rowsOf,
  sum,
  transitQuantiles,
} from "./query";

const t = (c: Cell, col: string) => String(c[col] ?? "");

function areaKey(input: ReportInput, c: Cell): Row {
  const { geo, lang, params } = input;
  const o = areaOf(t(c, "o_area"), params.level);
  const d = areaOf(t(c, "d_area"), params.level);
  return {
    origin: o,
    originName: geo.areaLabel(o, lang),
    destination: d,
    destinationName: geo.areaLabel(d, lang),
  };
}

function areaOf(area: string, level: ReportInput["params"]["level"]): string {
  if (!/^\d{6}$/.test(area)) return area;
  if (level === "country") return "CN";
  return level === "province" ? `${area.slice(0, 2)}0000` : area;
}

const modeKey = (geo: ReportGeography, lang: Lang, mode: string): Row => ({
  mode,
  modeName: geo.modeLabel(mode, lang),
});
const corridorKey = (geo: ReportGeography, lang: Lang, id: string): Row => ({
  corridor: id,
  corridorName: geo.corridorLabel(id, lang),
});

/** The published cells of the whole answer: what totals are summed over (not a row: no part). */
const shownOf = (input: ReportInput, cells: readonly Cell[]) =>
  groupCells(
    { ...input, parts: undefined, params: { ...input.params, granularity: "day" } },
    cells,
    () => ({}),
  ).flatMap((g) => g.shown);

function volume(cells: Cell[]): Row {
  return {
    waybills: sum(cells, "waybills"),
    tonnes: round(sum(cells, "tonnes")),
    tonneKm: round(sum(cells, "tonne_km")),
    valueCny: round(sum(cells, "value_cny"), 2),
  };
}

const flows: ReportBuilder = (input) => {
  const groups = groupCells(input, input.cells, (c) => areaKey(input, c));
  return { rows: rowsOf(groups, volume), totals: volume(shownOf(input, input.cells)) };
};

const corridors: ReportBuilder = (input, byTable) => {
  const { geo, lang } = input;
  const linkCells = byTable.report_link_cells ?? [];
  const flowCells = byTable.report_cells ?? [];
  const links = rowsOf(
    groupCells(input, linkCells, (c) => ({
      kind: "link",
      link: t(c, "link_id"),
      linkName: geo.linkLabel(t(c, "link_id"), lang),
      ...modeKey(geo, lang, t(c, "mode")),
    })),
    (cells) => ({
      waybills: sum(cells, "waybills"),
      tonnes: round(sum(cells, "tonnes")),
      tonneKm: round(sum(cells, "tonne_km")),
    }),
  );
  const named = rowsOf(
    groupCells(input, flowCells, (c) => ({
      kind: "corridor",
      ...corridorKey(geo, lang, t(c, "corridor")),
    })),
    (cells) => ({
      waybills: sum(cells, "waybills"),
      tonnes: round(sum(cells, "tonnes")),
      tonneKm: round(sum(cells, "tonne_km")),
    }),
  );
  const shown = shownOf(input, flowCells);
  return {
    rows: [...named, ...links],
    totals: {
      waybills: sum(shown, "waybills"),
      tonnes: round(sum(shown, "tonnes")),
      tonneKm: round(sum(shown, "tonne_km")),
    },
  };
};

const modalSplit: ReportBuilder = (input) => {
  const groups = groupCells(input, input.cells, (c) =>
    modeKey(input.geo, input.lang, t(c, "mode")),
  );
  // Shares are of each period's published total, so they too are sums of published cells.
  const perPeriod = new Map<string, { tonnes: number; tonneKm: number }>();
  for (const g of groups) {
    const p = String(g.key.period);
    const acc = perPeriod.get(p) ?? { tonnes: 0, tonneKm: 0 };
    acc.tonnes += sum(g.shown, "tonnes");
    acc.tonneKm += sum(g.shown, "tonne_km");
    perPeriod.set(p, acc);
  }
  const rows = rowsOf(groups, (cells, key) => {
    const total = perPeriod.get(String(key.period)) ?? { tonnes: 0, tonneKm: 0 };
    const tonnes = sum(cells, "tonnes");
    const tonneKm = sum(cells, "tonne_km");
    return {
      tonnes: round(tonnes),
      tonneKm: round(tonneKm),
      shareTonnes: ratio(tonnes, total.tonnes, 100),
      shareTonneKm: ratio(tonneKm, total.tonneKm, 100),
    };
  });
  const shown = shownOf(input, input.cells);
  return {
    rows,
    totals: { tonnes: round(sum(shown, "tonnes")), tonneKm: round(sum(shown, "tonne_km")) },
  };
};

function portFigures(cells: Cell[]): Row {
  return {
    crossings: sum(cells, "crossings"),
    cleared: sum(cells, "cleared"),
    ...dwellQuantiles(cells),
    dwellHoursMean: ratio(sum(cells, "dwell_hours"), sum(cells, "cleared")),
    gaugeTransshipments: sum(cells, "gauge_transshipments"),
  };
}

const borderPorts: ReportBuilder = (input) => {
  const { geo, lang } = input;
  const groups = groupCells(input, input.cells, (c) => ({
    port: t(c, "port"),
    portName: geo.hubLabel(t(c, "port"), lang),
    ...modeKey(geo, lang, t(c, "mode")),
  }));
  return { rows: rowsOf(groups, portFigures), totals: portFigures(shownOf(input, input.cells)) };
};

function performanceFigures(cells: Cell[]): Row {
  const delivered = sum(cells, "delivered");
  return {
    waybills: sum(cells, "waybills"),
    delivered,
    onTimeRate: ratio(sum(cells, "on_time"), delivered, 100),
    ...transitQuantiles(cells),
    exceptions: sum(cells, "exceptions"),
  };
}

const byCorridorAndMode = (input: ReportInput) => (c: Cell) => ({
  ...corridorKey(input.geo, input.lang, t(c, "corridor")),
  ...modeKey(input.geo, input.lang, t(c, "mode")),
});

const performance: ReportBuilder = (input) => ({
  rows: rowsOf(groupCells(input, input.cells, byCorridorAndMode(input)), performanceFigures),
  totals: performanceFigures(shownOf(input, input.cells)),
});

/** CNY per tonne-km over the tonne-km whose price is known. */
const rateOf = (cells: Cell[]) => ratio(sum(cells, "value_cny"), sum(cells, "priced_tonne_km"), 1);

const prices: ReportBuilder = (input) => {
  const groups = groupCells(input, input.cells, byCorridorAndMode(input));
  // The index's base: each corridor and mode's first period with a published rate.
  const base = new Map<string, number>();
  for (const g of groups) {
    const id = `${g.key.corridor}|${g.key.mode}`;
    const rate = g.shown.length ? rateOf(g.shown) : null;
    if (rate && !base.has(id)) base.set(id, rate);
  }
  const rows = rowsOf(groups, (cells, key) => {
    const rate = rateOf(cells);
    const b = base.get(`${key.corridor}|${key.mode}`);
    return {
      rateCnyPerTonneKm: rate === null ? null : round(rate, 4),
      index: rate !== null && b ? round((rate / b) * 100, 1) : null,
    };
  });
  const shown = shownOf(input, input.cells);
  const rate = rateOf(shown);
  return { rows, totals: { rateCnyPerTonneKm: rate === null ? null : round(rate, 4) } };
};

function emissionFigures(cells: Cell[]): Row {
  const kg = sum(cells, "co2e_kg");
  return {
    tonnesCo2e: round(kg / 1000),
    gCo2ePerTonneKm: ratio(kg * 1000, sum(cells, "tonne_km")),
    tonneKm: round(sum(cells, "tonne_km")),
  };
}

const emissions: ReportBuilder = (input) => ({
  rows: rowsOf(groupCells(input, input.cells, byCorridorAndMode(input)), emissionFigures),
  totals: emissionFigures(shownOf(input, input.cells)),
});

/** The network's modelled cost to clear a port per tonne: transshipment or handling there. */
function clearingCostCny(geo: ReportGeography, port: string, tonnes: number): number | null {
  const data = geo.network.data;
  const handling = data.transshipments.find((x) => x.hub === port) ?? data.handling.byHub[port];
  if (!handling) return null;
  return round((handling.fixedUsd + handling.usdPerTonne * tonnes) * (CNY_RATES.USD ?? 0), 2);
}

const carec: ReportBuilder = (input, byTable) => {
  const { geo, lang } = input;
  const ports = rowsOf(
    groupCells(input, byTable.report_port_cells ?? [], (c) => ({
      section: "border-crossing",
      port: t(c, "port"),
      portName: geo.hubLabel(t(c, "port"), lang),
      ...modeKey(geo, lang, t(c, "mode")),
    })),
    (cells, key) => ({
      ...portFigures(cells),
      costToClearCnyPerTonne: clearingCostCny(geo, String(key.port), 1),
    }),
  );
  const sections = rowsOf(
    groupCells(input, byTable.report_link_cells ?? [], (c) => ({
      section: "corridor-section",
      link: t(c, "link_id"),
      linkName: geo.linkLabel(t(c, "link_id"), lang),
      ...modeKey(geo, lang, t(c, "mode")),
    })),
    (cells) => ({
      costCnyPerTonne: ratio(sum(cells, "value_cny"), sum(cells, "tonnes")),
      costCnyPerTonneKm: ratio(sum(cells, "value_cny"), sum(cells, "priced_tonne_km")),
    }),
  );
  // Speed is of road and rail only, in its rows and in its total alike.
  const landCells = (byTable.report_cells ?? []).filter((c) =>
    ["road", "rail"].includes(t(c, "mode")),
  );
  const speed = rowsOf(groupCells(input, landCells, byCorridorAndMode(input)), speedFigures);
  return {
    rows: [...ports, ...sections, ...speed],
    totals: speedFigures(shownOf(input, landCells)),
  };
};

/** Speed with delay (distance over transit time) and without (border dwell taken out). */
function speedFigures(cells: Cell[]): Row {
  const km = sum(cells, "delivered_km");
  const hours = sum(cells, "delivered_hours");
  const dwell = sum(cells, "delivered_dwell_hours");
  return {
    section: "speed",
    delivered: sum(cells, "delivered"),
    speedKmh: ratio(km, hours),
    speedWithoutDelayKmh: ratio(km, hours - dwell),
  };
}

export const REPORT_BUILDERS: Record<ReportName, ReportBuilder> = {
  flows,
  corridors,
  "modal-split": modalSplit,
  "border-ports": borderPorts,
  performance,
  prices,
  emissions,
  carec,
};
