import { MODE_COLOURS } from "./i18n.js";

/** The map the page registers the Natural Earth outlines under. */
export const MAP = "caravan-region";

const published = (rows) => rows.filter((r) => r.suppressed !== true);
const periodsOf = (rows) => [...new Set(rows.map((r) => r.period))].sort();
// Tooltips are drawn on the canvas: an HTML tooltip would need inline styles, which the
// page's Content-Security-Policy forbids.
const tooltip = (extra = {}) => ({ renderMode: "richText", confine: true, ...extra });
const grid = { left: 56, right: 16, top: 40, bottom: 28 };

/** Rows grouped into one series per key, aligned on the periods (gaps where suppressed). */
function seriesBy(rows, keyOf, nameOf, figureOf) {
  const periods = periodsOf(rows);
  const byKey = new Map();
  for (const r of published(rows)) {
    const key = keyOf(r);
    const s = byKey.get(key) ?? { key, name: nameOf(r), mode: r.mode, values: new Map() };
    s.values.set(r.period, figureOf(r));
    byKey.set(key, s);
  }
  return {
    periods,
    series: [...byKey.values()].map((s) => ({
      ...s,
      data: periods.map((p) => s.values.get(p) ?? null),
    })),
  };
}

const axes = (periods, unit) => ({
  xAxis: { type: "category", data: periods },
  yAxis: { type: "value", name: unit, nameGap: 8 },
});

const legend = { type: "scroll", top: 0 };

/** Modal split: each period's share of tonnes by mode, stacked to 100. */
export function modalOption(rows) {
  const { periods, series } = seriesBy(
    rows,
    (r) => r.mode,
    (r) => r.modeName,
    (r) => r.shareTonnes,
  );
  return {
    tooltip: tooltip({ trigger: "axis" }),
    legend,
    grid,
    ...axes(periods, "%"),
    yAxis: { type: "value", max: 100, name: "%" },
    series: series.map((s) => ({
      id: `modal-${s.key}`,
      name: s.name,
      type: "bar",
      stack: "share",
      itemStyle: { color: MODE_COLOURS[s.mode] },
      data: s.data,
    })),
  };
}

/** Border-port dwell: the median per port and mode over time; the 90th percentile on hover. */
export function dwellOption(rows, words) {
  const { periods, series } = seriesBy(
    rows,
    (r) => `${r.port}|${r.mode}`,
    (r) => `${r.portName} · ${r.modeName}`,
    (r) => ({ value: r.dwellHoursP50, p90: r.dwellHoursP90, crossings: r.crossings }),
  );
  return {
    tooltip: tooltip({
      formatter: (p) =>
        `${p.seriesName}\n${p.name}\nP50 ${p.data?.value ?? "–"} ${words.hours} · P90 ${p.data?.p90 ?? "–"} ${words.hours}`,
    }),
    legend,
    grid,
    ...axes(periods, words.hours),
    series: series.map((s) => ({
      id: `dwell-${s.key}`,
      name: s.name,
      type: "line",
      connectNulls: false,
      data: s.data,
    })),
  };
}

const corridorMode = (r) => `${r.corridor}|${r.mode}`;
const corridorModeName = (r) => `${r.corridorName} · ${r.modeName}`;

/** On-time delivery rate per corridor and mode over time. */
export function onTimeOption(rows) {
  const { periods, series } = seriesBy(rows, corridorMode, corridorModeName, (r) => r.onTimeRate);
  return {
    tooltip: tooltip({ trigger: "axis" }),
    legend,
    grid,
    ...axes(periods, "%"),
    yAxis: { type: "value", min: 0, max: 100, name: "%" },
    series: series.map((s) => ({
      id: `onTime-${s.key}`,
      name: s.name,
      type: "line",
      data: s.data,
    })),
  };
}

/** Freight rate per tonne-km per corridor and mode; the index against the base on hover. */
export function pricesOption(rows, words) {
  const { periods, series } = seriesBy(rows, corridorMode, corridorModeName, (r) => ({
    value: r.rateCnyPerTonneKm,
    index: r.index,
  }));
  return {
    tooltip: tooltip({
      formatter: (p) =>
        `${p.seriesName}\n${p.name}\n${p.data?.value ?? "–"} CNY/t-km · ${words.index} ${p.data?.index ?? "–"}`,
    }),
    legend,
    grid,
    ...axes(periods, "CNY/t-km"),
    series: series.map((s) => ({
      id: `prices-${s.key}`,
      name: s.name,
      type: "line",
      data: s.data,
    })),
  };
}

/** Emissions per period by mode (summed over corridors), stacked. */
export function emissionsOption(rows) {
  const sums = new Map();
  for (const r of published(rows)) {
    const id = `${r.period}|${r.mode}`;
    const s = sums.get(id) ?? { ...r, tonnesCo2e: 0 };
    s.tonnesCo2e += r.tonnesCo2e ?? 0;
    sums.set(id, s);
  }
  const summed = [...sums.values()].map((s) => ({ ...s, tonnesCo2e: round(s.tonnesCo2e) }));
  const { series } = seriesBy(
    summed,
    (r) => r.mode,
    (r) => r.modeName,
    (r) => r.tonnesCo2e,
  );
  const periods = periodsOf(rows);
  return {
    tooltip: tooltip({ trigger: "axis" }),
    legend,
    grid,
    ...axes(periods, "t CO₂e"),
    series: series.map((s) => ({
      id: `emissions-${s.key}`,
      name: s.name,
      type: "bar",
      stack: "co2e",
      itemStyle: { color: MODE_COLOURS[s.mode] },
      data: periods.map((p) => s.values.get(p) ?? null),
    })),
  };
}

const round = (x, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Tonnes per network link and mode over the whole range, from the corridors report. */
export function linkTonnes(rows) {
  const byLink = new Map();
  for (const r of published(rows)) {
    if (r.kind !== "link") continue;
    const id = `${r.link}|${r.mode}`;
    const acc = byLink.get(id) ?? { link: r.link, mode: r.mode, name: r.linkName, tonnes: 0 };
    acc.tonnes = round(acc.tonnes + r.tonnes);
    byLink.set(id, acc);
  }
  return byLink;
}

/**
 * Where the map looks first: around the hubs freight moved between (with room for the network
 * nearby), or the whole network when nothing moved; the reader can zoom and pan from there.
 */
function boundsOf(hubs, used) {
  const moved = hubs.filter((h) => used.has(h.code));
  const shown = moved.length > 0 ? moved : hubs;
  const lons = shown.map((h) => h.lon);
  const lats = shown.map((h) => h.lat);
  const m = moved.length > 0 ? 6 : 2;
  return [
    [Math.min(...lons) - m, Math.max(...lats) + m],
    [Math.max(...lons) + m, Math.min(...lats) - m],
  ];
}

/**
 * The flow map: every link of the network faintly, the links freight travelled drawn with
 * a width by tonnes and a colour by mode, one series per mode; hubs at their coordinates.
 */
export function mapOption({ hubs, links, rows, lang, words }) {
  const at = new Map(hubs.map((h) => [h.code, [h.lon, h.lat]]));
  const hubName = new Map(hubs.map((h) => [h.code, lang === "zh" ? h.nameZh : h.name]));
  const flows = linkTonnes(rows);
  const max = Math.max(1, ...[...flows.values()].map((f) => f.tonnes));
  const width = (t) => 1.5 + 10 * Math.sqrt(t / max);
  const used = new Set();
  const modes = [...new Set([...flows.values()].map((f) => f.mode))].sort();
  const flowSeries = modes.map((mode) => ({
    id: `flows-${mode}`,
    name: words[mode] ?? mode,
    type: "lines",
    coordinateSystem: "geo",
    zlevel: 2,
    lineStyle: { color: MODE_COLOURS[mode], opacity: 0.85, cap: "round" },
    data: links
      .filter((l) => flows.has(`${l.id}|${mode}`) && at.has(l.from) && at.has(l.to))
      .map((l) => {
        const f = flows.get(`${l.id}|${mode}`);
        used.add(l.from);
        used.add(l.to);
        return {
          name: `${hubName.get(l.from)} – ${hubName.get(l.to)}`,
          link: l.id,
          value: f.tonnes,
          coords: [at.get(l.from), at.get(l.to)],
          lineStyle: { width: width(f.tonnes) },
        };
      }),
  }));
  return {
    tooltip: tooltip({
      formatter: (p) =>
        p.seriesType === "lines"
          ? `${p.name}\n${p.seriesName} · ${p.value} ${words.tonnes}`
          : `${p.name}`,
    }),
    legend: { top: 0, data: flowSeries.map((s) => s.name) },
    geo: {
      map: MAP,
      roam: true,
      boundingCoords: boundsOf(hubs, used),
      silent: true,
      itemStyle: { areaColor: "#eef1f4", borderColor: "#9aa5b1", borderWidth: 0.6 },
    },
    series: [
      {
        id: "network",
        type: "lines",
        coordinateSystem: "geo",
        silent: true,
        lineStyle: { color: "#8a94a0", width: 0.6, opacity: 0.45, type: "dashed" },
        data: links
          .filter((l) => at.has(l.from) && at.has(l.to))
          .map((l) => ({ coords: [at.get(l.from), at.get(l.to)] })),
      },
      ...flowSeries,
      {
        id: "hubs",
        type: "scatter",
        coordinateSystem: "geo",
        zlevel: 3,
        symbolSize: (_v, p) => (used.has(p.data.code) ? 7 : 4),
        itemStyle: { color: "#334e68" },
        label: {
          show: true,
          position: "right",
          fontSize: 10,
          formatter: (p) => (used.has(p.data.code) ? p.name : ""),
        },
        data: hubs.map((h) => ({ name: hubName.get(h.code), code: h.code, value: [h.lon, h.lat] })),
      },
    ],
  };
}
