/**
 * Routing benchmark: the engine against graphology-shortest-path (Dijkstra) and ngraph.path
 * (A*, NBA*) on the same weights, on the seeded network and on a synthetic network of about
 * 50,000 hubs and 200,000 links. Prints a table, writes its section of BENCHMARKS.md, and ends
 * with one JSON line of figures.
 *
 *   npx tsx bench/routing.ts            (or: npm run bench -- routing)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { DirectedGraph } from "graphology";
import { bidirectional } from "graphology-shortest-path/dijkstra";
import createGraph from "ngraph.graph";
import ngraphPath from "ngraph.path";
import { CLASS_COUNT, chordOf } from "../routing/compile";
import { type RouteRequest, RoutingEngine } from "../routing/engine";
import { boundRate, simulate } from "../routing/search";
import type { NetworkData } from "../routing/types";
import { loadSeedNetwork } from "../seed/network";
import { prng, syntheticNetwork } from "../seed/synthetic-network";
import { expandedEdges, goalKey, pathWeight, startEdges } from "../test/routing/expanded";

const SEED = 20_260_401;
const DEPART = "2026-07-06T08:00:00Z";
const CARGO = { weightKg: 18_000, volumeM3: 60 };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const stats = (xs: number[]) => ({ p50: r3(pct(xs, 50)), p95: r3(pct(xs, 95)), n: xs.length });
const mb = (b: number) => Math.round((b / 1e6) * 1000) / 1000;

type G = DirectedGraph<Record<string, never>, { weight: number }>;

interface Pair {
  from: string;
  to: string;
}

interface Section {
  hubs: number;
  links: number;
  directedEdges: number;
  buildMs: { graph: number; index: number };
  indexMb: number;
  heapMbDelta: number;
  engine: { p50: number; p95: number; n: number };
  engineSearchOnly: { p50: number; p95: number; n: number };
  engineDijkstraOnly: { p50: number; p95: number; n: number };
  graphology: { p50: number; p95: number; n: number };
  ngraphAStar: { p50: number; p95: number; n: number };
  ngraphNba: { p50: number; p95: number; n: number };
  pareto: { p50: number; p95: number; n: number; meanSize: number; incomplete: number };
  costsAgree: boolean;
  maxCostDiff: number;
  ratio: {
    graphologyOverEngine: number;
    ngraphAStarOverEngine: number;
    ngraphNbaOverEngine: number;
    graphologyOverEngineSearch: number;
  };
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const v = fn();
  return [v, performance.now() - t0];
}

type Index = RoutingEngine["index"];
type Prepared = ReturnType<RoutingEngine["prepare"]>;
type Req = (p: Pair) => RouteRequest;

/** The engine's timings per pair, end to end and search alone, and the costs it found. */
function timeEngine(engine: RoutingEngine, ix: Index, pairs: Pair[], req: Req) {
  // Warm-up, then timed end-to-end queries (mask, search, description).
  for (const p of pairs.slice(0, 20)) engine.query(req(p));
  const engineMs: number[] = [];
  const searchMs: number[] = [];
  const dijkstraMs: number[] = [];
  const ours = new Map<string, number>();
  for (const p of pairs) {
    const [, ms] = time(() => engine.query(req(p)));
    engineMs.push(ms);
    const q = engine.prepare(ix, req(p));
    const [edges, sms] = time(() => engine.search.shortest(q, "cost"));
    searchMs.push(sms);
    const [plain, dms] = time(() => engine.search.shortest(q, "cost", undefined, false));
    dijkstraMs.push(dms);
    const sp = plain ? simulate(ix, q, plain) : null;
    ours.set(`dijkstra:${p.from}>${p.to}`, sp ? sp.cost : Number.POSITIVE_INFINITY);
    const s = edges ? simulate(ix, q, edges) : null;
    ours.set(`${p.from}>${p.to}`, s ? s.cost : Number.POSITIVE_INFINITY);
  }
  return { engineMs, searchMs, dijkstraMs, ours };
}

/** The same weights for the libraries: the state graph with hub changes folded in. */
function libraryGraphs(ix: Index, q0: Prepared) {
  const g: G = new DirectedGraph();
  const ng = createGraph<undefined, number>();
  for (const e of expandedEdges(ix, q0, "cost")) {
    const a = String(e.from);
    const b = String(e.to);
    g.mergeNode(a);
    g.mergeNode(b);
    g.addDirectedEdge(a, b, { weight: e.weight });
    ng.addLink(a, b, e.weight);
  }
  return { g, ng };
}

/** ngraph's A* and NBA* with the engine's consistent bound (cost per distance to the goal). */
function ngraphFinders(ix: Index, ng: ReturnType<typeof createGraph<undefined, number>>) {
  const bound = { rate: 0, sourceHub: 0 };
  const hubOf = (id: string | number) => {
    if (id === "S") return bound.sourceHub;
    const x = Number(id);
    return x >= ix.n * CLASS_COUNT ? x - ix.n * CLASS_COUNT : Math.floor(x / CLASS_COUNT);
  };
  const heuristic = (a: { id: string | number }, b: { id: string | number }) =>
    bound.rate * chordOf(ix.xyz, hubOf(a.id), hubOf(b.id));
  const distance = (_a: unknown, _b: unknown, l: { data: number }) => l.data;
  const aStar = ngraphPath.aStar(ng, { oriented: true, distance, heuristic });
  const nba = ngraphPath.nba(ng, { oriented: true, distance, heuristic });
  return { bound, aStar, nba };
}

/** Whether every library's cost matches the engine's, and the largest difference. */
function agreement(mine: number, others: number[]): { agree: boolean; maxDiff: number } {
  let maxDiff = 0;
  let agree = true;
  for (const w of others) {
    const diff = Number.isFinite(mine) || Number.isFinite(w) ? Math.abs(mine - w) : 0;
    maxDiff = Math.max(maxDiff, Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff);
    if (!(diff <= 1e-6 * Math.max(1, Math.abs(mine)))) agree = false;
  }
  return { agree, maxDiff };
}

/** The libraries on the first `count` pairs, each timed and its cost held to the engine's. */
function timeLibraries(
  engine: RoutingEngine,
  ix: Index,
  pairs: Pair[],
  opts: { req: Req; ours: Map<string, number> },
) {
  const { g, ng } = libraryGraphs(
    ix,
    engine.prepare(ix, opts.req(pairs[0] ?? { from: "", to: "" })),
  );
  const { bound, aStar, nba } = ngraphFinders(ix, ng);
  const ngWeight = (nodes: { id: string | number }[]) =>
    nodes.length === 0
      ? Number.POSITIVE_INFINITY
      : pathWeight(
          g,
          nodes.map((x) => String(x.id)),
        );
  const out = { gMs: [] as number[], aMs: [] as number[], nMs: [] as number[] };
  let maxDiff = 0;
  let agree = true;
  for (const p of pairs) {
    const q = engine.prepare(ix, opts.req(p));
    const goal = goalKey(ix, q);
    bound.rate = boundRate(ix, q, "cost");
    bound.sourceHub = q.source;
    g.addNode("S");
    for (const e of startEdges(ix, q, "cost")) {
      g.addDirectedEdge("S", String(e.to), { weight: e.weight });
      ng.addLink("S", String(e.to), e.weight);
    }
    const [path, gms] = time(() => bidirectional(g, "S", goal, "weight"));
    out.gMs.push(gms);
    const [ap, ams] = time(() => aStar.find("S", goal));
    out.aMs.push(ams);
    const [np, nms] = time(() => nba.find("S", goal));
    out.nMs.push(nms);
    const mine = opts.ours.get(`${p.from}>${p.to}`) ?? Number.NaN;
    const dijkstra = opts.ours.get(`dijkstra:${p.from}>${p.to}`) ?? Number.NaN;
    const theirs = path ? pathWeight(g, path) : Number.POSITIVE_INFINITY;
    // ngraph returns the path from the goal back to the start.
    const seen = agreement(mine, [
      theirs,
      ngWeight([...ap].reverse()),
      ngWeight([...np].reverse()),
      dijkstra,
    ]);
    maxDiff = Math.max(maxDiff, seen.maxDiff);
    agree &&= seen.agree;
    g.dropNode("S");
    ng.removeNode("S");
  }
  return { ...out, maxDiff, agree };
}

/** Pareto queries (cost, time, CO2e) after a warm-up: times, set sizes, incomplete sets. */
function timePareto(engine: RoutingEngine, pairs: Pair[], req: Req) {
  const pMs: number[] = [];
  let sizes = 0;
  let incomplete = 0;
  for (const p of pairs.slice(0, 50)) engine.query({ ...req(p), optimise: "pareto" });
  for (const p of pairs) {
    const [res, ms] = time(() => engine.query({ ...req(p), optimise: "pareto" }));
    pMs.push(ms);
    if (res.ok) {
      sizes += res.paretoSize ?? 0;
      if (!res.complete) incomplete++;
    }
  }
  return { ...stats(pMs), meanSize: r3(sizes / Math.max(1, pMs.length)), incomplete };
}

function run(
  name: string,
  data: NetworkData,
  pairs: Pair[],
  paretoPairs: Pair[],
  compareCount: number,
): Section {
  const heap0 = process.memoryUsage();
  const [engine, graphMs] = time(() => new RoutingEngine(data));
  const [ix, indexMs] = time(() => engine.index);
  const heap1 = process.memoryUsage();
  const req: Req = (p) => ({ ...p, cargo: CARGO, departAt: DEPART, optimise: "cost" });
  const { engineMs, searchMs, dijkstraMs, ours } = timeEngine(engine, ix, pairs, req);
  const libs = timeLibraries(engine, ix, pairs.slice(0, compareCount), { req, ours });
  const pareto = timePareto(engine, paretoPairs, req);
  const engineP50 = pct(engineMs.slice(0, compareCount), 50);
  const section: Section = {
    hubs: data.hubs.length,
    links: data.links.length,
    directedEdges: ix.m,
    buildMs: { graph: r3(graphMs), index: r3(indexMs) },
    indexMb: mb(engine.indexBytes()),
    heapMbDelta: mb(heap1.heapUsed + heap1.arrayBuffers - (heap0.heapUsed + heap0.arrayBuffers)),
    engine: stats(engineMs),
    engineSearchOnly: stats(searchMs),
    engineDijkstraOnly: stats(dijkstraMs),
    graphology: stats(libs.gMs),
    ngraphAStar: stats(libs.aMs),
    ngraphNba: stats(libs.nMs),
    pareto,
    costsAgree: libs.agree,
    maxCostDiff: libs.maxDiff,
    ratio: {
      graphologyOverEngine: r3(pct(libs.gMs, 50) / engineP50),
      ngraphAStarOverEngine: r3(pct(libs.aMs, 50) / engineP50),
      ngraphNbaOverEngine: r3(pct(libs.nMs, 50) / engineP50),
      graphologyOverEngineSearch: r3(pct(libs.gMs, 50) / pct(searchMs.slice(0, compareCount), 50)),
    },
  };
  console.error(`${name}: ${JSON.stringify(section)}`);
  return section;
}

function samplePairs(codes: string[], count: number, seed: number): Pair[] {
  const rand = prng(seed);
  const out: Pair[] = [];
  while (out.length < count) {
    const from = codes[Math.floor(rand() * codes.length)] ?? "";
    const to = codes[Math.floor(rand() * codes.length)] ?? "";
    if (from !== to) out.push({ from, to });
  }
  return out;
}

/** Pairs a few hundred kilometres apart, for Pareto queries on the large network. */
function nearPairs(data: NetworkData, count: number, seed: number): Pair[] {
  const rand = prng(seed);
  const out: Pair[] = [];
  const hubs = data.hubs;
  while (out.length < count) {
    const a = hubs[Math.floor(rand() * hubs.length)];
    if (!a) continue;
    const candidates = hubs.filter(
      (b) => b !== a && Math.abs(b.lat - a.lat) < 1.5 && Math.abs(b.lon - a.lon) < 2.5,
    );
    const b = candidates[Math.floor(rand() * candidates.length)];
    if (b) out.push({ from: a.code, to: b.code });
  }
  return out;
}

function table(name: string, s: Section): string {
  const row = (label: string, x: { p50: number; p95: number; n: number }) =>
    `| ${label} | ${x.p50} | ${x.p95} | ${x.n} |`;
  return [
    `### ${name}`,
    "",
    `${s.hubs} hubs, ${s.links} links (${s.directedEdges} directed edges). Graph build ${Math.round(s.buildMs.graph)} ms, index build ${Math.round(s.buildMs.index)} ms, index arrays ${s.indexMb} MB (heap growth during build ${s.heapMbDelta} MB).`,
    "",
    "| single objective (cost), per query | p50 ms | p95 ms | queries |",
    "|---|---|---|---|",
    row("engine, end to end (constraints, search, description)", s.engine),
    row("engine, search only (A*, straight-line bound)", s.engineSearchOnly),
    row("engine, search only (plain Dijkstra, no bound)", s.engineDijkstraOnly),
    row("graphology-shortest-path Dijkstra (bidirectional)", s.graphology),
    row("ngraph.path A* (same bound)", s.ngraphAStar),
    row("ngraph.path NBA* (same bound)", s.ngraphNba),
    row(`Pareto (cost, time, CO2e); mean set size ${s.pareto.meanSize}`, s.pareto),
    "",
    `Ratios of p50 times to the engine's (end to end): graphology ${s.ratio.graphologyOverEngine}×, ngraph A* ${s.ratio.ngraphAStarOverEngine}×, ngraph NBA* ${s.ratio.ngraphNbaOverEngine}×; graphology over the engine's search alone ${s.ratio.graphologyOverEngineSearch}×. Costs agree on every compared query: ${s.costsAgree ? "yes" : "NO"} (max difference ${s.maxCostDiff}).`,
    "",
  ].join("\n");
}

function writeSection(markdown: string): void {
  const file = join(import.meta.dirname, "..", "BENCHMARKS.md");
  const start = "<!-- routing:start -->";
  const end = "<!-- routing:end -->";
  const block = `${start}\n${markdown}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

function main(): void {
  const t0 = performance.now();
  const seed = loadSeedNetwork();
  const codes = seed.hubs.map((h) => h.code);
  const seeded = run(
    "seeded",
    seed,
    samplePairs(codes, 1000, SEED),
    samplePairs(codes, 300, SEED + 1),
    300,
  );

  const [big, genMs] = time(() =>
    syntheticNetwork({
      hubs: 50_000,
      links: 200_000,
      seed: SEED,
      emissionFactors: seed.emissionFactors,
      handling: { ...seed.handling, byHub: {} },
    }),
  );
  const bigCodes = big.hubs.map((h) => h.code);
  const synthetic = run(
    "synthetic",
    big,
    samplePairs(bigCodes, 60, SEED + 2),
    nearPairs(big, 30, SEED + 3),
    30,
  );

  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const md = [
    "## Routing",
    "",
    `\`npx tsx bench/routing.ts\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu}, ${availableParallelism()} cores, load average ${loadavg()[0]?.toFixed(1)} at the end (the machine is shared, so tails are noisy). Cargo ${CARGO.weightKg} kg / ${CARGO.volumeM3} m³, departure ${DEPART}, random origin–destination pairs (seeded). The libraries run on the engine's state graph (hub × arrival mode, mode and gauge changes folded into edge weights), so all answer the same question; their time excludes building their graphs.`,
    "",
    table("Seeded network", seeded),
    table(
      `Synthetic network (generated in ${Math.round(genMs)} ms, seed ${SEED}; Pareto on pairs a few hundred km apart)`,
      synthetic,
    ),
    "Targets: single objective ≥ 5× faster than graphology's Dijkstra on the large network; seeded single objective p95 < 1 ms; seeded Pareto p95 < 20 ms.",
  ].join("\n");
  writeSection(md);
  const figures = {
    bench: "routing",
    seconds: r3((performance.now() - t0) / 1000),
    seeded,
    synthetic,
    ratio: synthetic.ratio.graphologyOverEngine,
    targets: {
      largeSpeedupAtLeast5x: synthetic.ratio.graphologyOverEngine >= 5,
      seededSingleP95Under1ms: seeded.engine.p95 < 1,
      seededParetoP95Under20ms: seeded.pareto.p95 < 20,
      costsAgree: seeded.costsAgree && synthetic.costsAgree,
    },
  };
  console.log(JSON.stringify(figures));
}

main();
