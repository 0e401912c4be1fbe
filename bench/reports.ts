import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import postgres from "postgres";
import {
  benchPostgres,
  creditCode,
  freshDatabase,
  machine,
  percentile,
  round,
  startNodeProcess,
  writeSection,
} from "./support";

// A year of seeded history (`npm run seed`, whose last step rebuilds the report rollups, timed
// here), then a node on it: each report's one-year monthly query at province level over HTTP,
// against the plain GROUP BY over waybills, legs and events computing the same groupings; then
// the rollups' lag behind tracking events written through the API at a steady rate.

const WAYBILLS = Number(process.env.BENCH_REPORTS_WAYBILLS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_REPORTS_RUNS ?? 30);
const WARMUPS = 3;
// A baseline query scans the year's waybills, legs and events: seconds each at a million, so
// fewer runs (its p95 is then close to its slowest run, which only flatters the baseline).
const BASELINE_RUNS = Number(process.env.BENCH_REPORTS_BASELINE_RUNS ?? 7);
const BASELINE_WARMUPS = 1;
const RATE = Number(process.env.BENCH_REPORTS_RATE ?? 50);
const STEADY_S = Number(process.env.BENCH_REPORTS_STEADY_S ?? 20);
const PROBES = 200;
const PORT = 3941;
const ADMIN_KEY = `cvn_bench_${randomBytes(16).toString("hex")}`;
const DAY_MS = 86_400_000;
const HOUR = 3_600_000;
const REPORTS = [
  "flows",
  "corridors",
  "modal-split",
  "border-ports",
  "performance",
  "prices",
  "emissions",
  "carec",
] as const;
type ReportName = (typeof REPORTS)[number];

// The history ends at today's midnight (UTC), as the seed's does by default: the query covers
// the twelve whole months before this one.
const UNTIL = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
const TO = new Date(Date.UTC(UNTIL.getUTCFullYear(), UNTIL.getUTCMonth(), 1));
const FROM = new Date(Date.UTC(TO.getUTCFullYear() - 1, TO.getUTCMonth(), 1));
const day = (d: Date) => d.toISOString().slice(0, 10);

const PERIOD = `w.created_at >= $1 and w.created_at < $2 and w.home_node is null
  and w.status <> 'cancelled'`;
const TONNES = `coalesce((w.cargo->>'weightKg')::float8, 0) / 1000`;
const PAIRS = `(select e.waybill_number, e.type, e.occurred_at, e.location->>'hub' as port,
    lead(e.type) over w2 as next_type, lead(e.occurred_at) over w2 as next_at
  from waybill_events e where e.type in ('at_border', 'cleared')
  window w2 as (partition by e.waybill_number order by e.occurred_at))`;
const DWELL = `extract(epoch from b.next_at - b.occurred_at) / 3600`;

/**
 * The baseline: each report's groupings by a plain GROUP BY over the base tables, for the same
 * year by month. Hubs stand for areas and legs for links (which areas and links a waybill
 * crossed takes the routing network, outside SQL); the scans and sorts are the same.
 */
const BASELINE: Record<ReportName, string> = {
  flows: `select date_trunc('month', w.created_at) m, w.origin->>'hub' o, w.destination->>'hub' d,
      count(distinct w.number), sum(${TONNES}), count(distinct w.shipper_id),
      count(distinct w.carrier_id), count(l.seq)
    from waybills w join waybill_legs l on l.waybill_number = w.number
    where ${PERIOD} group by 1, 2, 3`,
  corridors: `select date_trunc('month', w.created_at), l.from->>'hub', l.to->>'hub', l.mode,
      count(*), sum(${TONNES}), count(distinct w.shipper_id), count(distinct w.carrier_id)
    from waybills w join waybill_legs l on l.waybill_number = w.number
    where ${PERIOD} group by 1, 2, 3, 4`,
  "modal-split": `select date_trunc('month', w.created_at), l.mode, count(distinct w.number),
      sum(${TONNES}), count(distinct w.shipper_id), count(distinct w.carrier_id)
    from waybills w join waybill_legs l on l.waybill_number = w.number
    where ${PERIOD} group by 1, 2`,
  "border-ports": `select date_trunc('month', b.occurred_at), b.port, count(*),
      count(*) filter (where b.next_type = 'cleared'),
      percentile_cont(0.5) within group (order by ${DWELL}) filter (where b.next_type = 'cleared'),
      percentile_cont(0.9) within group (order by ${DWELL}) filter (where b.next_type = 'cleared'),
      count(distinct w.shipper_id), count(distinct w.carrier_id)
    from ${PAIRS} b join waybills w on w.number = b.waybill_number
    where b.type = 'at_border' and ${PERIOD} group by 1, 2`,
  performance: `select date_trunc('month', w.created_at), l.mode, count(*),
      count(*) filter (where d.occurred_at <= l.planned_arrival),
      percentile_cont(0.5) within group (order by extract(epoch from d.occurred_at - w.created_at)),
      percentile_cont(0.9) within group (order by extract(epoch from d.occurred_at - w.created_at)),
      count(distinct w.shipper_id), count(distinct w.carrier_id)
    from waybills w join waybill_legs l on l.waybill_number = w.number
      and l.seq = (select max(seq) from waybill_legs x where x.waybill_number = w.number)
    join waybill_events d on d.waybill_number = w.number and d.type = 'delivered'
    where ${PERIOD} group by 1, 2`,
  prices: `select date_trunc('month', w.created_at), l.mode, w.price_currency,
      sum(w.price_amount) / nullif(sum(${TONNES}), 0), count(*), count(distinct w.shipper_id),
      count(distinct w.carrier_id)
    from waybills w join waybill_legs l on l.waybill_number = w.number and l.seq = 1
    where ${PERIOD} group by 1, 2, 3`,
  emissions: `select date_trunc('month', w.created_at), l.mode,
      sum(${TONNES} * case l.mode when 'road' then 0.075 when 'rail' then 0.02 else 0.1 end),
      count(distinct w.shipper_id), count(distinct w.carrier_id)
    from waybills w join waybill_legs l on l.waybill_number = w.number
    where ${PERIOD} group by 1, 2`,
  carec: `select date_trunc('month', b.occurred_at), b.port, l.mode, count(*),
      avg(${DWELL}) filter (where b.next_type = 'cleared'), sum(w.price_amount),
      count(distinct w.shipper_id), count(distinct w.carrier_id)
    from ${PAIRS} b join waybills w on w.number = b.waybill_number
    join waybill_legs l on l.waybill_number = w.number and l.seq = 1
    where b.type = 'at_border' and ${PERIOD} group by 1, 2, 3`,
};

/** Progress on stderr: the last line on stdout stays the figures' JSON. */
function progress(line: string): void {
  process.stderr.write(`reports: ${line}\n`);
}

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50), 1), p95: round(percentile(sorted, 95), 1) };
}

/** `npm run seed` as an operator runs it, in its own process: history, then the rollups. */
async function seed(databaseUrl: string): Promise<{ seedS: number; rebuildS: number }> {
  const args = ["--import", "tsx", "seed/cli.ts", "--waybills", String(WAYBILLS)];
  const child = spawn(process.execPath, [...args, "--until", UNTIL.toISOString()], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "inherit", "pipe"],
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
    process.stderr.write(d);
  });
  const code = await new Promise<number | null>((ok) => child.once("exit", ok));
  if (code !== 0) throw new Error(`seed exited with ${code}`);
  const rebuildS = Number(/rollups rebuilt from \d+ waybills in ([\d.]+) s/.exec(err)?.[1]);
  const totalS = Number(/rows in ([\d.]+) s/.exec(err)?.[1]);
  return { seedS: round(totalS, 1), rebuildS: round(rebuildS, 1) };
}

async function call(method: string, path: string, body?: unknown, key = ADMIN_KEY) {
  const res = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const reportPath = (name: ReportName) =>
  `/v1/reports/${name}?from=${day(FROM)}&to=${day(TO)}&granularity=month&level=province`;

/** Times `fn` `runs` times after `warmups` untimed calls. */
async function timed(
  fn: () => Promise<unknown>,
  runs = RUNS,
  warmups = WARMUPS,
): Promise<number[]> {
  for (let i = 0; i < warmups; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return ms;
}

async function measureReports(sql: postgres.Sql) {
  const rows: {
    name: ReportName;
    report: ReturnType<typeof stats>;
    baseline: ReturnType<typeof stats>;
    cells: number;
  }[] = [];
  for (const name of REPORTS) {
    let cells = 0;
    const report = stats(
      await timed(async () => {
        cells = ((await call("GET", reportPath(name))).rows as unknown[]).length;
      }),
    );
    const baseline = stats(
      await timed(
        () => sql.unsafe(BASELINE[name], [FROM.toISOString(), TO.toISOString()]),
        BASELINE_RUNS,
        BASELINE_WARMUPS,
      ),
    );
    progress(`${name}: report ${JSON.stringify(report)}, baseline ${JSON.stringify(baseline)}`);
    rows.push({ name, report, baseline, cells });
  }
  return rows;
}

async function registerOrg(path: string, extra: Record<string, unknown>) {
  const reg = (await call("POST", path, {
    name: `Bench ${path.slice(4)}`,
    country: "CN",
    creditCode: creditCode(),
    contact: { name: "Bench", phone: "+86 991 555 0100", email: "bench@example.cn" },
    ...extra,
  })) as { organization: { id: string }; apiKey: string };
  await call("POST", `/v1/orgs/${reg.organization.id}/verify`, {});
  return { id: reg.organization.id, key: reg.apiKey };
}

/** Waybills Ürümqi → Almaty picked up through the API: what the lag phase writes events to. */
async function probeWaybills() {
  const shipper = await registerOrg("/v1/shippers", {});
  const carrier = await registerOrg("/v1/carriers", {
    modes: ["road", "rail"],
    qualifications: {
      operatingLicence: { number: "XJ-1", expiresOn: "2030-12-31" },
      insurance: { cover: { amount: 1_000_000, currency: "CNY" }, expiresOn: "2030-12-31" },
    },
  });
  const now = Date.now();
  const numbers: string[] = [];
  for (let i = 0; i < PROBES; i++) {
    const w = await call(
      "POST",
      "/v1/waybills",
      {
        carrierId: carrier.id,
        origin: "CN-URC",
        destination: "KZ-ALA",
        cargo: { weightKg: 12_000, volumeM3: 40, packages: 24, hsCode: "520100" },
        price: { amount: 18_000, currency: "CNY" },
        mode: "road",
        pickupAt: new Date(now - 4 * HOUR).toISOString(),
        deliveryAt: new Date(now + 72 * HOUR).toISOString(),
      },
      shipper.key,
    );
    const number = String(w.number);
    const event = { type: "picked_up", occurredAt: new Date().toISOString() };
    await call("POST", `/v1/waybills/${number}/events`, event, carrier.key);
    numbers.push(number);
  }
  return { numbers, carrierKey: carrier.key };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `exception` events (each adds one to its waybill's `exceptions` fact) at RATE/s for STEADY_S,
 * round-robin over the probe waybills. An event is reflected once its waybill's fact counts
 * it; its lag runs from the API's answer to the poll (every 100 ms) that first sees it.
 */
async function measureLag(sql: postgres.Sql) {
  const { numbers, carrierKey } = await probeWaybills();
  await sleep(3000);
  const accepted = new Map<string, number[]>(numbers.map((n) => [n, []]));
  const lags: number[] = [];
  const oldest: number[] = [];
  let writing = true;
  let stopAt = Number.POSITIVE_INFINITY;
  const poll = (async () => {
    const seen = new Map<string, number>();
    while (writing || lags.length < [...accepted.values()].flat().length) {
      const rows = await sql<{ number: string; exceptions: number }[]>`
        select number, exceptions from report_facts where number = any(${numbers})`;
      const now = Date.now();
      for (const r of rows) {
        const times = accepted.get(r.number) ?? [];
        for (let i = seen.get(r.number) ?? 0; i < Math.min(r.exceptions, times.length); i++) {
          lags.push(now - (times[i] ?? now));
        }
        seen.set(r.number, Math.max(seen.get(r.number) ?? 0, Math.min(r.exceptions, times.length)));
      }
      if (!writing && Date.now() - stopAt > 60_000) break;
      await sleep(100);
    }
  })();
  const sample = (async () => {
    while (writing) {
      const body = await call("GET", reportPath("flows"));
      oldest.push((body.freshness as { oldestDirtySeconds: number }).oldestDirtySeconds);
      await sleep(500);
    }
  })();
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (sent < RATE * STEADY_S) {
    const due = Math.min(
      RATE * STEADY_S,
      Math.floor(((performance.now() - start) / 1000) * RATE) + 1,
    );
    for (; sent < due; sent++) {
      const number = numbers[sent % numbers.length] ?? "";
      const body = {
        type: "exception",
        occurredAt: new Date().toISOString(),
        details: { seq: sent },
      };
      pending.push(
        call("POST", `/v1/waybills/${number}/events`, body, carrierKey).then(() => {
          accepted.get(number)?.push(Date.now());
        }),
      );
    }
    await sleep(10);
  }
  await Promise.all(pending);
  writing = false;
  stopAt = Date.now();
  await Promise.all([poll, sample]);
  const sorted = lags.sort((a, b) => a - b);
  const o = [...oldest].sort((a, b) => a - b);
  return {
    events: sent,
    reflected: sorted.length,
    lagP95S: round(percentile(sorted, 95) / 1000, 2),
    lagMaxS: round((sorted.at(-1) ?? Number.NaN) / 1000, 2),
    oldestDirtyP95S: round(percentile(o, 95), 2),
    oldestDirtyMaxS: round(o.at(-1) ?? Number.NaN, 2),
  };
}

type Measured = Awaited<ReturnType<typeof measureReports>>;

function section(f: {
  seed: Awaited<ReturnType<typeof seed>> | null;
  reports: Measured;
  lag: Awaited<ReturnType<typeof measureLag>>;
  ratio: number;
  worstP95: number;
}): string {
  const rows = f.reports
    .map(
      (r) =>
        `| ${r.name} | ${r.cells} | ${r.report.p50} | ${r.report.p95} | ${r.baseline.p50} | ${r.baseline.p95} | ${round(r.baseline.p95 / r.report.p95, 1)} |`,
    )
    .join("\n");
  return `## Reports over a year of history (\`bench/reports.ts\`)

${WAYBILLS.toLocaleString("en")} waybills with their legs and events written by \`npm run seed\`
(a year to ${day(UNTIL)}) into a fresh database; its last step, the bulk rollup rebuild
(\`rebuildAllReports\`), is timed on its own. A node then serves each report's one-year monthly
query (${day(FROM)} to ${day(TO)}, \`granularity=month&level=province\`) over HTTP with the admin
key: ${RUNS} runs after ${WARMUPS} warm-ups each (the baseline ${BASELINE_RUNS} after ${BASELINE_WARMUPS}). Baseline, in the same run: each report's groupings
by a plain GROUP BY over \`waybills\`, \`waybill_legs\` and \`waybill_events\` for the same year
by month (hubs stand for areas and legs for links, which SQL cannot derive without the routing
network; the scans, joins and sorts are the same). Lag: \`exception\` events through
\`POST /v1/waybills/{no}/events\` at ${RATE}/s for ${STEADY_S} s over ${PROBES} waybills, the node's own
refresh worker running; an event is reflected when its waybill's facts count it (polled every
100 ms), and \`freshness.oldestDirtySeconds\` is sampled from a report every 500 ms.

Machine: ${machine()}, shared with other work while this ran. The default run is 1,000,000
waybills (\`BENCH_REPORTS_WAYBILLS\`); ${
    f.seed
      ? `at this size the seed wrote the history in ${f.seed.seedS} s
and the rollup rebuild took ${f.seed.rebuildS} s more.`
      : "this run reused a database seeded before (`BENCH_REPORTS_DATABASE_URL`), so the seed was not timed."
  }

| report | rows | p50 ms | p95 ms | baseline p50 ms | baseline p95 ms | × (p95) |
|---|---:|---:|---:|---:|---:|---:|
${rows}

Worst report p95 ${f.worstP95} ms (target < 100 ms); ratio baseline / report at p95, the worst
report: **${f.ratio}×** (target ≥ 20×). Rollup lag at ${RATE} events/s: ${f.lag.reflected} of
${f.lag.events} events reflected, p95 ${f.lag.lagP95S} s, max ${f.lag.lagMaxS} s (target ≤ 5 s);
\`oldestDirtySeconds\` p95 ${f.lag.oldestDirtyP95S} s, max ${f.lag.oldestDirtyMaxS} s.`;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

/** The node's own Redis database if REDIS_URL, emptied first; else PostgreSQL queues. */
async function redisEnv(): Promise<Record<string, string>> {
  if (!process.env.REDIS_URL) return {};
  const u = new URL(process.env.REDIS_URL);
  u.pathname = "/13";
  const redis = new Redis(u.toString());
  await redis.flushdb();
  redis.disconnect();
  return { REDIS_URL: u.toString() };
}

// A database seeded before (by `npm run seed` with the same --until), to measure the reports
// again without seeding: the seed is then not timed, and the section says so.
const REUSE = process.env.BENCH_REPORTS_DATABASE_URL;
const server = await benchPostgres();
const db = REUSE
  ? { url: REUSE, drop: async () => {} }
  : await freshDatabase(server.url, "caravan_bench_reports");
let node: ChildProcess | undefined;
const sql = postgres(db.url, { max: 2, onnotice: () => {} });
try {
  progress(REUSE ? "reusing a seeded database" : `seeding ${WAYBILLS} waybills`);
  const seeded = REUSE ? null : await seed(db.url);
  node = await startNodeProcess({
    databaseUrl: db.url,
    port: PORT,
    adminKey: ADMIN_KEY,
    pool: 10,
    env: { CARAVAN_NODE_CODE: "XJ", ...(await redisEnv()) },
  });
  const reports = await measureReports(sql);
  const lag = await measureLag(sql);
  progress(`lag: ${JSON.stringify(lag)}`);
  const worstP95 = Math.max(...reports.map((r) => r.report.p95));
  const ratio = round(Math.min(...reports.map((r) => r.baseline.p95 / r.report.p95)), 1);
  writeSection("reports", section({ seed: seeded, reports, lag, ratio, worstP95 }));
  const figures = {
    waybills: WAYBILLS,
    ...seeded,
    reports: Object.fromEntries(
      reports.map((r) => [r.name, { ...r.report, baseline: r.baseline }]),
    ),
    worstP95,
    lag,
    ratio,
  };
  console.log(JSON.stringify(figures));
} finally {
  await sql.end();
  if (node) await stopChild(node);
  await db.drop();
  await server.stop();
}
