import {
  dwellOption,
  emissionsOption,
  MAP,
  mapOption,
  modalOption,
  onTimeOption,
  pricesOption,
} from "./charts.js";
import * as echarts from "./echarts.js";
import { WORDS } from "./i18n.js";

const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => [...document.querySelectorAll(sel)];

const state = {
  lang: localStorage.getItem("caravan.lang") === "en" ? "en" : "zh",
  network: null,
  charts: new Map(),
  loads: 0,
  kind: null,
};
const words = () => WORDS[state.lang];

function applyWords() {
  const w = words();
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = `Caravan · ${w.title}`;
  for (const el of $$("[data-i18n]")) {
    const text = w[el.dataset.i18n];
    if (typeof text === "string") el.textContent = text;
  }
  $("#lang").textContent = state.lang === "zh" ? "English" : "中文";
  if (state.kind) $("#who").textContent = w[`role.${state.kind}`] ?? state.kind;
  fillCorridors();
}

/** Every data call goes to the node itself, carrying the session cookie (never a key). */
async function getJson(path) {
  const res = await fetch(path, {
    credentials: "same-origin",
    headers: { accept: "application/json" },
  });
  if (res.status === 401) {
    showSignIn(words().expired);
    throw new Error("signed out");
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(body.error?.message ?? `${res.status}`);
  }
  return res.json();
}

function showSignIn(message = "") {
  document.body.dataset.state = "signed-out";
  $("#board").hidden = true;
  $("#sign-out").hidden = true;
  $("#who").textContent = "";
  $("#sign-in").hidden = false;
  $("#sign-in-error").textContent = message;
  $("#sign-in-form input[name=key]").focus();
}

async function signIn(event) {
  event.preventDefault();
  const input = $("#sign-in-form input[name=key]");
  const res = await fetch("/dashboard/session", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key: input.value }),
  });
  input.value = "";
  if (res.status === 201) return start((await res.json()).kind);
  const w = words();
  $("#sign-in-error").textContent =
    res.status === 403 ? w.notRegulator : res.status === 429 ? w.tooMany : w.badKey;
}

async function signOut() {
  await fetch("/dashboard/session", { method: "DELETE", credentials: "same-origin" });
  for (const chart of state.charts.values()) chart.dispose();
  state.charts.clear();
  state.kind = null;
  showSignIn();
}

const iso = (d) => d.toISOString().slice(0, 10);

/** The last twelve months to today, by month. */
function defaultFilters() {
  const form = $("#filters");
  const today = new Date();
  const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 11, 1));
  form.from.value = iso(from);
  form.to.value = iso(today);
}

function fillCorridors() {
  const select = $("#filters select[name=corridor]");
  const chosen = select.value;
  for (const o of [...select.options].slice(1)) o.remove();
  for (const c of state.network?.corridors ?? []) {
    select.add(new Option(state.lang === "zh" ? c.nameZh : c.name, c.id));
  }
  select.value = chosen;
}

function query(extra = {}) {
  const form = $("#filters");
  const q = new URLSearchParams({
    from: form.from.value,
    to: form.to.value,
    granularity: form.granularity.value,
    level: "country",
    lang: state.lang,
  });
  if (form.mode.value) q.set("mode", form.mode.value);
  if (form.corridor.value) q.set("corridor", form.corridor.value);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q;
}

const REPORTS = [
  "flows",
  "corridors",
  "modal-split",
  "border-ports",
  "performance",
  "prices",
  "emissions",
];

async function loadNetwork() {
  const [hubs, links, corridors] = await Promise.all(
    ["hubs", "links", "corridors"].map((what) => getJson(`/v1/network/${what}`)),
  );
  state.network = { hubs: hubs.items, links: links.items, corridors: corridors.items };
  echarts.registerMap(MAP, await (await fetch("/dashboard/assets/countries.geojson")).json());
  fillCorridors();
}

/** Fetches every report for the filters and redraws; an older load finishing late is dropped. */
async function refresh() {
  const form = $("#filters");
  if (!form.reportValidity()) return;
  const load = ++state.loads;
  document.body.dataset.state = "loading";
  $("#status").textContent = words().loading;
  const q = query();
  let answers;
  try {
    answers = await Promise.all(REPORTS.map((name) => getJson(`/v1/reports/${name}?${q}`)));
  } catch (e) {
    if (load !== state.loads || !$("#sign-in").hidden) return;
    // A refused filter (say, a period over three years) or a rate limit: say so, keep the charts.
    document.body.dataset.state = "error";
    $("#status").textContent = `${words().failed}: ${e.message}`;
    return;
  }
  if (load !== state.loads) return;
  const reports = Object.fromEntries(REPORTS.map((name, i) => [name, answers[i]]));
  render(reports);
  const fresh = reports.flows.freshness;
  $("#status").textContent =
    `${words().updated} ${new Date(reports.flows.generatedAt).toLocaleTimeString(state.lang === "zh" ? "zh-CN" : "en-GB")}` +
    (fresh.dirty > 0 ? ` · ${fresh.dirty} ${words().pending}` : "");
  document.body.dataset.state = "ready";
  document.body.dataset.load = String(load);
}

const number = (x, digits = 0) =>
  x === null || x === undefined
    ? "–"
    : Number(x).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", {
        maximumFractionDigits: digits,
      });

function renderKpis(r) {
  const w = words();
  const kpis = [
    ["waybills", r.flows.totals.waybills, 0],
    ["tonnes", r.flows.totals.tonnes, 1],
    ["tonneKm", r.flows.totals.tonneKm, 0],
    ["onTime", r.performance.totals.onTimeRate, 1, "%"],
    ["rate", r.prices.totals.rateCnyPerTonneKm, 3],
    ["co2e", r.emissions.totals.tonnesCo2e, 2],
    ["intensity", r.emissions.totals.gCo2ePerTonneKm, 1],
  ];
  $("#kpis").replaceChildren(
    ...kpis.map(([id, value, digits, unit = ""]) => {
      const card = document.createElement("div");
      card.className = "kpi";
      card.dataset.kpi = id;
      card.dataset.value = value ?? "";
      const v = document.createElement("strong");
      v.textContent = `${number(value, digits)}${value === null || value === undefined ? "" : unit}`;
      const label = document.createElement("span");
      label.textContent = w[`kpi.${id}`];
      card.append(v, label);
      return card;
    }),
  );
}

const OPTIONS = {
  map: (rows) => mapOption({ ...state.network, rows, lang: state.lang, words: words() }),
  modal: (rows) => modalOption(rows),
  dwell: (rows) => dwellOption(rows, words()),
  onTime: (rows) => onTimeOption(rows),
  prices: (rows) => pricesOption(rows, words()),
  emissions: (rows) => emissionsOption(rows),
};

function render(reports) {
  renderKpis(reports);
  for (const panel of $$("figure[data-chart]")) {
    const report = reports[panel.dataset.report];
    const el = panel.querySelector(".chart");
    let chart = state.charts.get(panel.dataset.chart);
    if (!chart) {
      chart = echarts.init(el, null, { renderer: "canvas" });
      state.charts.set(panel.dataset.chart, chart);
    }
    const option = OPTIONS[panel.dataset.chart](report.rows);
    const empty = !report.rows.some((r) => r.suppressed !== true);
    option.title = empty
      ? {
          text: words().noData,
          left: "center",
          top: "middle",
          textStyle: { fontSize: 13, color: "#7b8794" },
        }
      : { show: false };
    chart.setOption(option, { notMerge: true });
    panel.querySelector("a.csv").href =
      `/v1/reports/${panel.dataset.report}?${query({ format: "csv" })}`;
    const hidden = report.rows.filter((r) => r.suppressed === true || r.suppressed > 0).length;
    panel.querySelector(".note").textContent =
      hidden > 0 ? words().suppressed(hidden, report.k) : "";
  }
}

async function start(kind) {
  $("#sign-in").hidden = true;
  $("#board").hidden = false;
  $("#sign-out").hidden = false;
  state.kind = kind;
  $("#who").textContent = words()[`role.${kind}`] ?? kind;
  if (!state.network) await loadNetwork();
  await refresh();
}

function setLang(lang) {
  state.lang = lang;
  localStorage.setItem("caravan.lang", lang);
  applyWords();
  if (!$("#board").hidden) refresh();
}

async function main() {
  applyWords();
  defaultFilters();
  $("#sign-in-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", signOut);
  $("#lang").addEventListener("click", () => setLang(state.lang === "zh" ? "en" : "zh"));
  $("#filters").addEventListener("change", () => refresh());
  $("#filters").addEventListener("submit", (e) => e.preventDefault());
  window.addEventListener("resize", () => {
    for (const chart of state.charts.values()) chart.resize();
  });
  const res = await fetch("/dashboard/session", { credentials: "same-origin" });
  if (res.ok) await start((await res.json()).kind);
  else showSignIn();
}

main();
