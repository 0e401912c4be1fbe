import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import postgres from "postgres";
import { postgresRuntime, type QueueRuntime, redisRuntime } from "../workers/runtime";
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

// Two node processes on this machine, XJ (A) and KZ (B), each with its own database and
// queues, registered as partners. Tracking events recorded at A through its API (each with
// its outbox row, in the event's transaction) are delivered to B as signed batches and
// applied there. Measured: events/s until all are applied at B, lag at a steady rate, and raw
// BullMQ add + no-op process on the same backend as the baseline.

const EVENTS = Number(process.env.BENCH_SYNC_EVENTS ?? 50_000);
const WAYBILLS = Number(process.env.BENCH_SYNC_WAYBILLS ?? 100);
const WRITERS = Number(process.env.BENCH_SYNC_WRITERS ?? 32);
const RATE = Number(process.env.BENCH_SYNC_RATE ?? 1_000);
const STEADY_S = Number(process.env.BENCH_SYNC_STEADY_S ?? 20);
const RAW_JOBS = Number(process.env.BENCH_SYNC_RAW_JOBS ?? EVENTS);
const POOL = Number(process.env.BENCH_POOL ?? 20);
const APPLY_TIMEOUT_MS = Number(process.env.BENCH_SYNC_TIMEOUT_S ?? 600) * 1000;
const ADMIN_KEY = `cvn_bench_${randomBytes(16).toString("hex")}`;
const A = { code: "XJ", port: 3931, redisDb: 11 };
/** A's queue workers, in a process of their own once the events are recorded. */
const A_WORKERS_PORT = 3933;
const B = { code: "KZ", port: 3932, redisDb: 12 };
const HOUR = 3_600_000;

interface Node {
  code: string;
  url: string;
  sql: postgres.Sql;
  child: ChildProcess;
  databaseUrl: string;
  redisUrl: string | undefined;
  drop(): Promise<void>;
}

async function call(node: Node, method: string, path: string, body?: unknown, key?: string) {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A node's own Redis database, so two nodes' queues of the same name never meet. */
function redisUrlFor(db: number): string | undefined {
  if (!process.env.REDIS_URL) return undefined;
  const u = new URL(process.env.REDIS_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Leftover jobs of an earlier run would be delivered by this one's nodes. */
async function clearRedis(url: string | undefined): Promise<void> {
  if (!url) return;
  const redis = new Redis(url);
  await redis.flushdb();
  redis.disconnect();
}

function startProcess(
  spec: { code: string; databaseUrl: string; redisUrl: string | undefined },
  port: number,
  workers: "on" | "off",
): Promise<ChildProcess> {
  return startNodeProcess({
    databaseUrl: spec.databaseUrl,
    port,
    adminKey: ADMIN_KEY,
    pool: POOL,
    env: {
      CARAVAN_NODE_CODE: spec.code,
      CARAVAN_EGRESS_ALLOW: "127.0.0.0/8",
      CARAVAN_WORKERS: workers,
      ...(spec.redisUrl ? { REDIS_URL: spec.redisUrl } : {}),
    },
  });
}

async function startNode(serverUrl: string, spec: typeof A): Promise<Node> {
  const db = await freshDatabase(serverUrl, `caravan_bench_sync_${spec.code.toLowerCase()}`);
  const redisUrl = redisUrlFor(spec.redisDb);
  await clearRedis(redisUrl);
  const child = await startProcess(
    { code: spec.code, databaseUrl: db.url, redisUrl },
    spec.port,
    "on",
  );
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  return {
    code: spec.code,
    url: `http://127.0.0.1:${spec.port}`,
    sql,
    child,
    databaseUrl: db.url,
    redisUrl,
    drop: db.drop,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

/** `at` registers `other` from its `/.well-known/caravan-node`. */
async function registerPartner(at: Node, other: Node, countries: string[], regions: string[]) {
  const described = (await (await fetch(`${other.url}/.well-known/caravan-node`)).json()) as {
    code: string;
    name: string;
    kind: string;
    jwks: unknown;
  };
  await call(
    at,
    "POST",
    "/v1/partners",
    {
      code: described.code,
      name: described.name,
      kind: described.kind,
      baseUrl: other.url,
      jwks: described.jwks,
      agreement: {
        countries,
        regions,
        recordTypes: ["waybill", "event"],
        maxClassification: "internal",
      },
    },
    ADMIN_KEY,
  );
}

async function registerOrg(node: Node, path: string, extra: Record<string, unknown>) {
  const reg = (await call(node, "POST", path, {
    name: `Bench ${path.slice(4)}`,
    country: "CN",
    creditCode: creditCode(),
    contact: { name: "Bench", phone: "+86 991 555 0100", email: "bench@example.cn" },
    ...extra,
  })) as { organization: { id: string }; apiKey: string };
  await call(node, "POST", `/v1/orgs/${reg.organization.id}/verify`, {}, ADMIN_KEY);
  return { id: reg.organization.id, key: reg.apiKey };
}

/** Waybills Ürümqi → Almaty issued at A, each picked up, all held at B before timing starts. */
async function issueWaybills(a: Node, b: Node, count: number) {
  const shipper = await registerOrg(a, "/v1/shippers", {});
  const carrier = await registerOrg(a, "/v1/carriers", {
    modes: ["road", "rail"],
    qualifications: {
      operatingLicence: { number: "XJ-1", expiresOn: "2030-12-31" },
      insurance: { cover: { amount: 1_000_000, currency: "CNY" }, expiresOn: "2030-12-31" },
    },
  });
  const now = Date.now();
  const numbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const w = await call(
      a,
      "POST",
      "/v1/waybills",
      {
        carrierId: carrier.id,
        origin: "CN-URC",
        destination: "KZ-ALA",
        cargo: { weightKg: 12_000, volumeM3: 40, packages: 24, hsCode: "520100" },
        price: { amount: 18_000, currency: "CNY" },
        legs: [
          { mode: "road", from: "CN-URC", to: "CN-KHG" },
          { mode: "rail", from: "CN-KHG", to: "KZ-ALA" },
        ],
        pickupAt: new Date(now - 4 * HOUR).toISOString(),
        deliveryAt: new Date(now + 72 * HOUR).toISOString(),
      },
      shipper.key,
    );
    const number = String(w.number);
    const event = { type: "picked_up", occurredAt: new Date().toISOString() };
    await call(a, "POST", `/v1/waybills/${number}/events`, event, carrier.key);
    numbers.push(number);
  }
  await waitFor(async () => (await eventsAppliedAt(b)) >= count, APPLY_TIMEOUT_MS);
  return { numbers, carrierKey: carrier.key };
}

async function eventsAppliedAt(b: Node): Promise<number> {
  const [row] = await b.sql<{ n: number }[]>`
    select count(*)::int as n from federation_inbox where type = 'event'`;
  return row?.n ?? 0;
}

async function waitFor(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`not applied within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Tracking events for the waybills, round-robin, occurring as they are sent (after each
 * waybill's pick-up, never in the future); the sequence number keeps each one distinct.
 */
function eventSource(numbers: readonly string[]) {
  let i = 0;
  return () => {
    const n = i++;
    const number = numbers[n % numbers.length] ?? "";
    const occurredAt = new Date().toISOString();
    return { number, body: { type: "in_transit", occurredAt, details: { seq: n } } };
  };
}

type Next = ReturnType<typeof eventSource>;

/**
 * One event. A connection the server reset under load is tried again: the same event sent
 * twice is held once (by its fingerprint), so a retry cannot double it.
 */
async function postEvent(a: Node, key: string, next: Next): Promise<void> {
  const e = next();
  for (let attempt = 1; ; attempt++) {
    try {
      await call(a, "POST", `/v1/waybills/${e.number}/events`, e.body, key);
      return;
    } catch (err) {
      if (!(err instanceof TypeError) || attempt >= 3) throw err;
    }
  }
}

/** `count` events as fast as `WRITERS` concurrent callers get them accepted. */
async function writeFlat(a: Node, key: string, next: Next, count: number): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (left > 0) {
        left--;
        await postEvent(a, key, next);
      }
    }),
  );
}

/** `rate` events per second for `seconds`, started on a fixed schedule whatever the answers. */
async function writeSteady(a: Node, key: string, next: Next, rate: number, seconds: number) {
  const tickMs = 10;
  const perTick = rate / (1000 / tickMs);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (sent < rate * seconds) {
    const due = Math.min(
      rate * seconds,
      Math.floor(((performance.now() - start) / tickMs + 1) * perTick),
    );
    for (; sent < due; sent++) pending.push(postEvent(a, key, next));
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await Promise.all(pending);
  return sent;
}

/** Applied at B (its inbox row's time) minus recorded at A (the event's time), per event. */
async function lagsMs(a: Node, b: Node, since: Date): Promise<number[]> {
  const sent = await a.sql<{ id: string; recorded: string }[]>`
    select id, record->>'recordedAt' as recorded from federation_outbox
    where type = 'event' and created_at >= ${since}`;
  const applied = await b.sql<{ id: string; at: Date }[]>`
    select message_id as id, received_at as at from federation_inbox
    where type = 'event' and received_at >= ${since}`;
  const at = new Map(applied.map((r) => [r.id, r.at.getTime()]));
  const lags: number[] = [];
  for (const r of sent) {
    const t = at.get(`${a.code}:${r.id}`);
    if (t !== undefined) lags.push(t - Date.parse(r.recorded));
  }
  return lags.sort((x, y) => x - y);
}

/** `EVENTS` events recorded through A's API while no worker of A's runs: the outbox fills. */
async function phaseRecord(a: Node, key: string, next: Next) {
  const t0 = performance.now();
  await writeFlat(a, key, next, EVENTS);
  const seconds = (performance.now() - t0) / 1000;
  return { events: EVENTS, writtenPerS: round(EVENTS / seconds, 0) };
}

/**
 * A's workers start in their own process and deliver the backlog. Rate from the first event
 * applied at B to the last (B's inbox row times), so the process's start-up is not counted;
 * `drainMs` counts from the workers' process being up.
 */
async function phaseDrain(a: Node, b: Node, started: (workers: ChildProcess) => void) {
  const since = new Date();
  const before = await eventsAppliedAt(b);
  const workers = await startProcess(a, A_WORKERS_PORT, "on");
  // Known to the caller at once, so it is stopped even if the drain times out.
  started(workers);
  const up = Date.now();
  await waitFor(async () => (await eventsAppliedAt(b)) >= before + EVENTS, APPLY_TIMEOUT_MS);
  const [span] = await b.sql<{ first: Date; last: Date }[]>`
    select min(received_at) as first, max(received_at) as last from federation_inbox
    where type = 'event' and received_at >= ${since}`;
  const first = span?.first.getTime() ?? up;
  const last = span?.last.getTime() ?? Date.now();
  return {
    events: EVENTS,
    appliedPerS: round(EVENTS / (Math.max(1, last - first) / 1000), 0),
    drainMs: last - up,
  };
}

async function phaseLag(a: Node, b: Node, key: string, next: Next) {
  const since = new Date();
  const before = await eventsAppliedAt(b);
  const sent = await writeSteady(a, key, next, RATE, STEADY_S);
  await waitFor(async () => (await eventsAppliedAt(b)) >= before + sent, APPLY_TIMEOUT_MS);
  const lags = await lagsMs(a, b, since);
  return {
    rate: RATE,
    seconds: STEADY_S,
    events: sent,
    measured: lags.length,
    p50Ms: round(percentile(lags, 50), 0),
    p99Ms: round(percentile(lags, 99), 0),
    maxMs: round(lags[lags.length - 1] ?? Number.NaN, 0),
  };
}

/** Raw BullMQ on the nodes' backend: add `count` jobs and process each with a no-op. */
async function rawBullmq(runtime: QueueRuntime, count: number) {
  const queue = runtime.queue<{ n: number }>("bench-noop", {
    removeOnComplete: true,
    removeOnFail: true,
  });
  let processed = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((ok) => {
    finished = ok;
  });
  const worker = runtime.worker<{ n: number }>(
    "bench-noop",
    async () => {
      if (++processed === count) finished();
    },
    { concurrency: 8 },
  );
  await worker.waitUntilReady();
  const t0 = performance.now();
  for (let i = 0; i < count; i += 100) {
    const adds = [];
    for (let j = i; j < Math.min(count, i + 100); j++) adds.push(queue.add("noop", { n: j }));
    await Promise.all(adds);
  }
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await runtime.close();
  return { jobs: count, jobsPerS: round(count / seconds, 0) };
}

async function baselineRuntime(serverUrl: string) {
  const redisUrl = redisUrlFor(13);
  if (redisUrl) {
    await clearRedis(redisUrl);
    return { runtime: redisRuntime(redisUrl, { prefix: "bench" }), drop: async () => {} };
  }
  const db = await freshDatabase(serverUrl, "caravan_bench_sync_raw");
  return { runtime: postgresRuntime(db.url), drop: db.drop };
}

async function stopNode(node: Node): Promise<void> {
  await node.sql.end();
  await stopChild(node.child);
  await node.drop();
}

function report(figures: {
  backend: string;
  flat: Awaited<ReturnType<typeof phaseRecord>> & Awaited<ReturnType<typeof phaseDrain>>;
  lag: Awaited<ReturnType<typeof phaseLag>>;
  raw: Awaited<ReturnType<typeof rawBullmq>>;
  ratio: number;
}): string {
  const { flat, lag, raw } = figures;
  return `## Federation: events from one node to its partner (\`bench/sync.ts\`)

Two nodes on one machine, XJ (A) and KZ (B), each with its own PostgreSQL database and
${figures.backend} queues, registered as partners through \`/.well-known/caravan-node\` and
\`POST /v1/partners\`. ${WAYBILLS} waybills Ürümqi → Almaty are issued and picked up at A and held
at B before timing starts. From then on A runs as two processes, as a busy node would: its API
(\`CARAVAN_WORKERS=off\`) and its queue workers.

- **Recorded at A**: ${flat.events} tracking events (\`in_transit\`, round-robin over the waybills)
  through \`POST /v1/waybills/{no}/events\` from ${WRITERS} concurrent callers while A's workers
  are stopped. Each is validated, signed, audited and written with its outbox row in one
  transaction, and its delivery job is queued.
- **Applied at B**: A's workers start and deliver the backlog as signed batches of up to 100
  messages, each applied by B in one transaction. Rate from the first event applied at B to the
  last (B's inbox row times); the drain time counts from the workers' process being up.
- **Lag**: ${lag.rate} events/s started on a fixed schedule for ${lag.seconds} s, API and workers both
  running; per event, the time it was applied at B minus the time it was recorded at A (both
  clocks are this machine's).
- **Baseline**: raw BullMQ on the same backend, ${raw.jobs} jobs added (100 at a time) and processed
  by a no-op worker at concurrency 8 (the federation queue's).

Machine: ${machine()}, shared with other work while this ran.

| | events (jobs)/s | p50 ms | p99 ms |
|---|---:|---:|---:|
| events recorded at A (API) | ${flat.writtenPerS} | | |
| events applied at B | ${flat.appliedPerS} | | |
| lag at ${lag.rate}/s (${lag.measured} events) | | ${lag.p50Ms} | ${lag.p99Ms} |
| raw BullMQ (add + no-op) | ${raw.jobsPerS} | | |

Ratio federation / raw BullMQ: **${figures.ratio}** (target ≥ 0.3); applied at B
${flat.appliedPerS} events/s (target ≥ 5,000); lag p99 ${lag.p99Ms} ms (target < 2,000 ms); the
backlog of ${flat.events} drained in ${round(flat.drainMs / 1000, 1)} s.

Where the time goes (CPU profiles of both nodes): on this machine a socket write and read
cost about a millisecond of wall time under load, so round trips are the cost. Recording an
event used eleven sequential round trips; its reads and its writes now go as two pipelines
(about five in all), and an event later than all its waybill holds moves the status by one
transition instead of replaying the history. B applied a batch with about eight round trips
per message; it now takes six per batch whatever its size. Each event's delivery job whose
row was sent in another job's batch ends without a query in the process that sent it.`;
}

/** Progress on stderr: the last line on stdout stays the figures' JSON. */
function progress(line: string): void {
  process.stderr.write(`sync: ${line}\n`);
}

const server = await benchPostgres();
const a = await startNode(server.url, A);
const b = await startNode(server.url, B);
let aWorkers: ChildProcess | undefined;
try {
  await registerPartner(a, b, ["KZ"], []);
  await registerPartner(b, a, ["CN"], ["65"]);
  const { numbers, carrierKey } = await issueWaybills(a, b, WAYBILLS);
  progress(`${WAYBILLS} waybills held at ${b.code}`);
  // From here A runs as an API process and a workers process, as a busy node would.
  await stopChild(a.child);
  a.child = await startProcess(a, A.port, "off");
  const next = eventSource(numbers);
  const recorded = await phaseRecord(a, carrierKey, next);
  progress(`recorded at ${a.code}: ${JSON.stringify(recorded)}`);
  const drain = await phaseDrain(a, b, (w) => {
    aWorkers = w;
  });
  const flat = { ...recorded, ...drain };
  progress(`applied at ${b.code}: ${JSON.stringify(drain)}`);
  const lag = await phaseLag(a, b, carrierKey, next);
  progress(`lag: ${JSON.stringify(lag)}`);
  const baseline = await baselineRuntime(server.url);
  const raw = await rawBullmq(baseline.runtime, RAW_JOBS);
  await baseline.drop();
  const ratio = round(flat.appliedPerS / raw.jobsPerS, 2);
  const backend = process.env.REDIS_URL ? "redis" : "postgres";
  const figures = {
    bench: "sync",
    machine: machine(),
    queueBackend: backend,
    waybills: WAYBILLS,
    writers: WRITERS,
    throughput: flat,
    lag,
    baseline: raw,
    ratio,
    targets: { appliedPerSAtLeast: 5_000, lagP99UnderMs: 2_000, ratioAtLeast: 0.3 },
    met: flat.appliedPerS >= 5_000 && lag.p99Ms < 2_000 && ratio >= 0.3,
  };
  writeSection("sync", report({ backend, flat, lag, raw, ratio }));
  console.log(JSON.stringify(figures));
} finally {
  if (aWorkers) await stopChild(aWorkers);
  await stopNode(a);
  await stopNode(b);
  await server.stop();
}
