import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { refreshAllReports } from "../../core/reports/refresh";
import { type Bidder, carrierWithTruck, loadBody } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { createRegulator, type Registered, registerShipper } from "../support/fixtures";

// The dashboard is tested as a regulator uses it: in a real browser that can reach nothing but
// the node. CI installs Debian's Chromium (.ci/run); elsewhere the test says why it is skipped.
const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.log("[dashboard] skipped: no Chromium (apt-get install -y chromium)");

const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts");
const HOUR = 3_600_000;
const cargo = loadBody().cargo;

/** The node's clock, set back while history is written, so events may lie in past months. */
const clock = { at: 0, now: () => new Date(clock.at || Date.now()) };
let node: TestNode;
let regulator: Registered;
let base = "";
let closeServer = () => {};
let profile = "";
let context: BrowserContext;
let page: Page;
/** Every address the page asked for, and what the browser complained about. */
const requested: string[] = [];
const complaints: string[] = [];

/** The 10th of the month `back` months ago (today for this month if earlier), at 08:00 UTC. */
function pickupDay(back: number): number {
  const now = new Date();
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 10, 8);
  return Math.min(day, Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 0));
}

/** One journey Urumqi → Almaty: picked up, held at the border, cleared, delivered. */
async function journey(
  s: Registered,
  c: Bidder,
  opts: { mode: "road" | "rail"; back: number; amount: number; dwell: number; late: boolean },
) {
  const at = pickupDay(opts.back);
  clock.at = at - HOUR;
  const created = await node.call("POST", "/v1/waybills", {
    key: s.key,
    body: {
      carrierId: c.id,
      origin: "CN-URC",
      destination: "KZ-ALA",
      cargo,
      price: { amount: opts.amount, currency: "CNY" },
      mode: opts.mode,
      pickupAt: new Date(at).toISOString(),
      deliveryAt: new Date(at + 72 * HOUR).toISOString(),
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const number = created.body.number as string;
  // Road and rail from Urumqi to Almaty both cross at Khorgos (the routing engine's choice).
  const border = "CN-KHR";
  const events: [string, number, string?][] = [
    ["picked_up", 0, "CN-URC"],
    ["at_border", 20, border],
    ["cleared", 20 + opts.dwell, border],
    ["delivered", opts.late ? 90 : 60, "KZ-ALA"],
  ];
  for (const [type, hours, location] of events) {
    // Reported as it happens: an event may not be dated after the node's clock.
    clock.at = at + hours * HOUR;
    const res = await node.call("POST", `/v1/waybills/${number}/events`, {
      key: c.key,
      body: { type, occurredAt: new Date(at + hours * HOUR).toISOString(), location },
    });
    expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(201);
  }
}

/** Three shippers and three carriers (k = 3) by road and by rail over three months. */
async function seed() {
  regulator = await createRegulator(node);
  const shippers = await Promise.all([0, 1, 2].map(() => registerShipper(node)));
  const carriers = await Promise.all([0, 1, 2].map(() => carrierWithTruck(node)));
  for (const back of [2, 1, 0]) {
    for (const mode of ["road", "rail"] as const) {
      for (const i of [0, 1, 2]) {
        await journey(shippers[i] as Registered, carriers[i] as Bidder, {
          mode,
          back,
          amount: (mode === "road" ? 24_000 : 15_000) + 1_000 * back + 500 * i,
          dwell: (mode === "road" ? 6 : 14) + 3 * i + back,
          late: mode === "road" ? i === 2 && back !== 1 : i === 0 && back === 0,
        });
      }
    }
  }
  clock.at = 0;
  await refreshAllReports(systemCtxFactory(node.parts)("test"));
}

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  node = await createTestNode({ clock });
  await seed();
  const server = serve({ fetch: node.app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeServer = () => server.close();
  profile = await mkdtemp(join(tmpdir(), "caravan-dashboard-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Offline: no name resolves but the node's loopback address.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
    viewport: { width: 1280, height: 1500 },
    locale: "zh-CN",
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (r) => requested.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 401/.test(m.text())) complaints.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && r.status() !== 401) complaints.push(`${r.status()} ${r.url()}`);
  });
  page.on("pageerror", (e) => complaints.push(String(e)));
}, 240_000);

afterAll(async () => {
  await context?.close();
  closeServer();
  if (profile) await rm(profile, { recursive: true, force: true });
});

interface Option {
  series: { id: string; data: (number | null | { value: number | null })[] }[];
  xAxis?: { data: string[] }[];
}

/** The option ECharts holds for a panel, read in the page from ECharts itself. */
function chartOption(chart: string): Promise<Option> {
  // A string, so the test runner leaves the page's own dynamic import alone.
  return page.evaluate(`(async () => {
    const echarts = await import("/dashboard/assets/echarts.js");
    const el = document.querySelector('figure[data-chart="${chart}"] .chart');
    return JSON.parse(JSON.stringify(echarts.getInstanceByDom(el).getOption()));
  })()`);
}

type Row = Record<string, string | number | boolean | null>;

/** The same report through the API with the regulator's key, for the query the page shows. */
async function reportFor(chart: string): Promise<{ rows: Row[]; totals: Row; query: string }> {
  const href = await page.getAttribute(`figure[data-chart="${chart}"] a.csv`, "href");
  const url = new URL(href ?? "", base);
  expect(url.searchParams.get("format")).toBe("csv");
  url.searchParams.delete("format");
  const res = await node.call("GET", `${url.pathname}${url.search}`, { key: regulator.key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { ...res.body, query: url.search };
}

const figure = (d: Option["series"][number]["data"][number]) =>
  d !== null && typeof d === "object" ? d.value : d;

/** Tonnes per link as the map draws them, by mode. */
async function mapTonnes(): Promise<Record<string, number>> {
  const option = await chartOption("map");
  const drawn: Record<string, number> = {};
  for (const s of option.series.filter((x) => x.id.startsWith("flows-"))) {
    const mode = s.id.slice("flows-".length);
    for (const d of s.data as unknown as { link: string; value: number }[]) {
      drawn[`${d.link}|${mode}`] = d.value;
    }
  }
  return drawn;
}

function reportTonnes(rows: Row[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const r of rows.filter((x) => x.kind === "link" && x.suppressed !== true)) {
    const id = `${r.link}|${r.mode}`;
    sums[id] = (sums[id] ?? 0) + Number(r.tonnes);
  }
  return sums;
}

async function settled(load: number) {
  await page.waitForSelector(`body[data-state="ready"][data-load="${load}"]`, { timeout: 30_000 });
}

async function expectChartsMatchReports() {
  const corridors = await reportFor("map");
  const drawn = await mapTonnes();
  const expected = reportTonnes(corridors.rows);
  expect(Object.keys(drawn).sort()).toEqual(Object.keys(expected).sort());
  for (const [id, tonnes] of Object.entries(expected)) expect(drawn[id]).toBeCloseTo(tonnes, 3);

  const modal = await reportFor("modal");
  const modalOption = await chartOption("modal");
  for (const r of modal.rows.filter((x) => x.suppressed !== true)) {
    const s = modalOption.series.find((x) => x.id === `modal-${r.mode}`);
    const i = modalOption.xAxis?.[0]?.data.indexOf(String(r.period)) ?? -1;
    expect(s && figure(s.data[i] ?? null), `${r.period} ${r.mode}`).toBe(r.shareTonnes);
  }

  const ports = await reportFor("dwell");
  const dwell = await chartOption("dwell");
  for (const r of ports.rows.filter((x) => x.suppressed !== true)) {
    const s = dwell.series.find((x) => x.id === `dwell-${r.port}|${r.mode}`);
    const i = dwell.xAxis?.[0]?.data.indexOf(String(r.period)) ?? -1;
    expect(s && figure(s.data[i] ?? null), `${r.period} ${r.port}`).toBe(r.dwellHoursP50);
  }

  const perf = await reportFor("onTime");
  const onTime = await chartOption("onTime");
  for (const r of perf.rows.filter((x) => x.suppressed !== true)) {
    const s = onTime.series.find((x) => x.id === `onTime-${r.corridor}|${r.mode}`);
    const i = onTime.xAxis?.[0]?.data.indexOf(String(r.period)) ?? -1;
    expect(s && figure(s.data[i] ?? null), `${r.period} ${r.corridor}`).toBe(r.onTimeRate);
  }

  const flows = await reportKpis();
  return { corridors, modal, ports, perf, flows };
}

/** The KPI cards' figures against the reports' totals. */
async function reportKpis() {
  const cards: Record<string, string> = await page.evaluate(
    `Object.fromEntries([...document.querySelectorAll(".kpi")].map((e) => [e.dataset.kpi, e.dataset.value]))`,
  );
  const flowsHref = (await page.getAttribute('figure[data-chart="map"] a.csv', "href")) ?? "";
  const q = new URL(flowsHref, base).search.replace(/&?format=csv/, "");
  const totals = async (name: string) =>
    (await node.call("GET", `/v1/reports/${name}${q}`, { key: regulator.key })).body.totals as Row;
  const flows = await totals("flows");
  expect(Number(cards.waybills)).toBe(flows.waybills);
  expect(Number(cards.tonnes)).toBe(flows.tonnes);
  expect(Number(cards.onTime)).toBe((await totals("performance")).onTimeRate);
  expect(Number(cards.co2e)).toBe((await totals("emissions")).tonnesCo2e);
  return flows;
}

describe.skipIf(!HAVE_CHROMIUM)(
  "the regulators' dashboard, in a browser that reaches only the node",
  () => {
    it("asks for a key in Chinese, signs in without the key in any address, draws the reports (screenshot kept)", async () => {
      await page.goto(`${base}/dashboard`);
      await page.waitForSelector('body[data-state="signed-out"]');
      expect(await page.textContent("#sign-in h2")).toBe("监管人员登录");
      await page.fill('#sign-in-form input[name="key"]', regulator.key);
      await page.click('#sign-in-form button[type="submit"]');
      await settled(1);
      expect(page.url()).toBe(`${base}/dashboard`);
      expect(requested.filter((u) => u.includes(regulator.key))).toEqual([]);
      // The session is an HttpOnly, SameSite=Strict cookie: the page's scripts cannot read it.
      const [cookie] = await context.cookies(base);
      expect(cookie).toMatchObject({
        name: "caravan_dashboard_session",
        httpOnly: true,
        sameSite: "Strict",
      });
      expect(cookie?.value).not.toContain(regulator.key);
      expect(await page.evaluate("document.cookie")).toBe("");

      const { flows } = await expectChartsMatchReports();
      expect(flows.waybills).toBe(18);
      expect(await page.textContent('figure[data-chart="map"] h2')).toContain("货流图");
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
    });

    it("redraws every chart for a changed filter, and offers each one as CSV", async () => {
      await page.selectOption('select[name="mode"]', "rail");
      await settled(2);
      const { corridors, flows } = await expectChartsMatchReports();
      expect(corridors.query).toContain("mode=rail");
      expect(flows.waybills).toBe(9);
      const drawn = await mapTonnes();
      expect(Object.keys(drawn).length).toBeGreaterThan(0);
      expect(Object.keys(drawn).every((id) => id.endsWith("|rail"))).toBe(true);

      const hrefs: string[] = await page.evaluate(
        `[...document.querySelectorAll("a.csv")].map((a) => a.href)`,
      );
      expect(hrefs).toHaveLength(6);
      for (const href of hrefs) {
        expect(href).toMatch(/\/v1\/reports\/[a-z-]+\?.*mode=rail.*format=csv/);
        const got = await page.evaluate(async (u) => {
          const res = await fetch(u);
          return {
            status: res.status,
            type: res.headers.get("content-type"),
            text: await res.text(),
          };
        }, href);
        expect(got.status, href).toBe(200);
        expect(got.type).toContain("text/csv");
        expect(got.text.split("\n")[0]).toContain("period");
      }
    });

    it("switches to English", async () => {
      await page.click("#lang");
      await settled(3);
      expect(await page.textContent('figure[data-chart="map"] h2')).toContain("Freight flows");
      const legend = await chartOption("modal");
      expect(JSON.stringify(legend.series)).toContain("Rail");
      await page.selectOption('select[name="mode"]', "");
      await settled(4);
      await expectChartsMatchReports();
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-en.png"), fullPage: true });
    });

    it("asked for nothing beyond the node, and broke no rule of its Content-Security-Policy", () => {
      expect(requested.length).toBeGreaterThan(10);
      expect(requested.filter((u) => !u.startsWith(`${base}/`))).toEqual([]);
      expect(complaints).toEqual([]);
    });

    it("says why when the API refuses the filters, keeping the charts drawn", async () => {
      const before = await mapTonnes();
      await page.fill('input[name="from"]', "2030-01-01");
      await page.dispatchEvent('input[name="from"]', "change");
      await page.waitForSelector('body[data-state="error"]');
      expect(await page.textContent("#status")).toMatch(
        /^Could not load: query.to: must not be before from/,
      );
      expect(await mapTonnes()).toEqual(before);
    });

    it("signs out: the session then opens no report", async () => {
      await page.click("#sign-out");
      await page.waitForSelector('body[data-state="signed-out"]');
      const status = await page.evaluate(
        async () => (await fetch("/v1/reports/flows?from=2026-01-01&to=2026-01-31")).status,
      );
      expect(status).toBe(401);
    });
  },
);
