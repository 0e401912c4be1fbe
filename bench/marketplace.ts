import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { eq } from "drizzle-orm";
import postgres from "postgres";
import { newId } from "../core/ids";
import { displayPrefix, generateApiKey, hashApiKey } from "../core/keys/secret";
import { openDatabase } from "../db/client";
import { insertBid, insertLoad } from "../db/queries/marketplace";
import { loads } from "../db/schema";
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

// One load, 1,000 carriers bidding at once over real HTTP against a node process (API and
// workers), then the automatic award when bidding closes. Baseline: the same 1,000 bid rows
// inserted one by one through postgres.js at the same concurrency, same PostgreSQL, same run.

const CARRIERS = Number(process.env.BENCH_CARRIERS ?? 1000);
const CLOSE_AFTER_S = Number(process.env.BENCH_CLOSE_AFTER_S ?? 20);
const POOL = 20;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const PORT = 3918;
const ADMIN_KEY = `cvn_bench_${randomBytes(16).toString("hex")}`;
const HOUR = 3_600_000;

// Keep-alive connections, as a carrier's integration would hold them; every request is still
// in flight at once. node:http costs the load generator far less CPU than fetch on 2 cores.
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function call(
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: PORT,
        path,
        method,
        agent,
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${key}`,
          ...(payload ? { "content-length": Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Verified carriers with a truck each and an API key, written straight into the database. */
async function seedCarriers(sql: postgres.Sql, n: number) {
  const quals = {
    operatingLicence: { number: "XJ-ROAD-2024-0042", expiresOn: "2035-12-31" },
    insurance: { cover: { amount: 5_000_000, currency: "CNY" }, expiresOn: "2035-12-31" },
  };
  const carriers: { id: string; key: string; vehicleId: string }[] = [];
  const orgs = [];
  const keys = [];
  const trucks = [];
  for (let i = 0; i < n; i++) {
    const id = newId("org");
    const key = generateApiKey();
    const vehicleId = newId("veh");
    carriers.push({ id, key, vehicleId });
    orgs.push({
      id,
      kind: "carrier",
      status: "verified",
      name: `Bench Carrier ${i}`,
      country: "CN",
      credit_code: creditCode(),
      modes: ["road"],
      qualifications: quals,
      verified_at: new Date(),
    });
    keys.push({
      id: newId("key"),
      org_id: id,
      role: "carrier",
      name: "bench",
      prefix: displayPrefix(key),
      hash: hashApiKey(key),
    });
    trucks.push({
      id: vehicleId,
      carrier_id: id,
      mode: "road",
      plate: `新B${String(i).padStart(5, "0")}`,
      capacity_kg: 25_000,
      capacity_m3: 80,
    });
  }
  for (let i = 0; i < n; i += 500) {
    await sql`insert into organizations ${sql(orgs.slice(i, i + 500).map((o) => ({ ...o, qualifications: sql.json(o.qualifications) })))}`;
    await sql`insert into api_keys ${sql(keys.slice(i, i + 500))}`;
    await sql`insert into vehicles ${sql(trucks.slice(i, i + 500))}`;
  }
  return carriers;
}

const server = await benchPostgres();
const fresh = await freshDatabase(server.url, "caravan_bench_marketplace");
const child = await startNodeProcess({
  databaseUrl: fresh.url,
  port: PORT,
  adminKey: ADMIN_KEY,
  pool: POOL,
});
const sql = postgres(fresh.url, { max: POOL, onnotice: () => {} });
const database = openDatabase(fresh.url, { max: POOL });
const db = database.db;
try {
  const shipper = await fetch(`http://127.0.0.1:${PORT}/v1/shippers`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name: "Bench Shipper",
      country: "CN",
      creditCode: creditCode(),
      contact: { name: "Bench", phone: "+86 991 555 0100", email: "bench@example.cn" },
    }),
  }).then((r) => r.json() as Promise<{ organization: { id: string }; apiKey: string }>);
  await call("POST", `/v1/orgs/${shipper.organization.id}/verify`, ADMIN_KEY, {});
  const carriers = await seedCarriers(sql, CARRIERS);

  const now = Date.now();
  const closesAt = new Date(now + CLOSE_AFTER_S * 1000);
  const iso = (ms: number) => new Date(ms).toISOString();
  const load = await call("POST", "/v1/loads", shipper.apiKey, {
    origin: "CN-URC",
    destination: "KZ-ALA",
    cargo: { weightKg: 12_000, volumeM3: 40, packages: 24, hsCode: "520100" },
    pickupWindow: { from: iso(now + 48 * HOUR), to: iso(now + 72 * HOUR) },
    deliverBy: iso(now + 240 * HOUR),
    modes: ["road", "rail"],
    reservePrice: { amount: 30_000, currency: "CNY" },
    biddingClosesAt: closesAt.toISOString(),
    awardRule: "lowest_price",
  });
  if (load.status !== 201) throw new Error(`post load: ${JSON.stringify(load.body)}`);
  const loadId = String(load.body.id);
  const bidOf = (c: { vehicleId: string }, i: number) => ({
    price: { amount: 20_000 + ((i * 7919) % 9000), currency: "CNY" },
    mode: "road",
    vehicleIds: [c.vehicleId],
    pickupAt: iso(now + 50 * HOUR),
    deliveryAt: iso(now + 120 * HOUR),
    validUntil: iso(now + 200 * HOUR),
  });

  // Everyone at once.
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const t0 = performance.now();
  await Promise.all(
    carriers.map(async (c, i) => {
      const s = performance.now();
      const r = await call("POST", `/v1/loads/${loadId}/bids`, c.key, bidOf(c, i));
      latencies.push(performance.now() - s);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }),
  );
  const apiSeconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const accepted = statuses.get(201) ?? 0;

  // Wait for the closing job, then read when the award committed relative to closing.
  let awardMs = Number.NaN;
  const deadline = closesAt.getTime() + 30_000;
  while (Date.now() < deadline) {
    const [row] = await sql<{ status: string; ms: number | null }[]>`
      select status, extract(epoch from (closed_at - bidding_closes_at)) * 1000 as ms
        from loads where id = ${loadId}`;
    if (row && row.status !== "open") {
      awardMs = Number(row.ms);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const observedMs = Date.now() - closesAt.getTime();

  // Baseline: the same rows, raw single-row inserts at the same concurrency, through the
  // fixed-text insert the bid path uses and nothing else.
  const [template] = await db.select().from(loads).where(eq(loads.id, loadId));
  if (!template) throw new Error("the load vanished");
  // An open copy: status and version start afresh, as for any new load.
  const { status: _status, version: _version, ...fields } = template;
  const baseLoad = await insertLoad(db, {
    ...fields,
    id: newId("ld"),
    awardedBidId: null,
    closedAt: null,
    cancelReason: null,
  });
  const baseLat: number[] = [];
  const b0 = performance.now();
  await Promise.all(
    carriers.map(async (c, i) => {
      const b = bidOf(c, i);
      const s = performance.now();
      await insertBid(db, {
        id: newId("bid"),
        loadId: baseLoad.id,
        carrierId: c.id,
        amount: b.price.amount,
        currency: "CNY",
        mode: "road",
        vehicleIds: [c.vehicleId],
        pickupAt: new Date(b.pickupAt),
        deliveryAt: new Date(b.deliveryAt),
        validUntil: new Date(b.validUntil),
        co2eKg: 1,
      });
      baseLat.push(performance.now() - s);
    }),
  );
  const baseSeconds = (performance.now() - b0) / 1000;
  baseLat.sort((a, b) => a - b);

  const figures = {
    bench: "marketplace",
    carriers: CARRIERS,
    accepted,
    statuses: Object.fromEntries(statuses),
    bidsPerSecond: round(accepted / apiSeconds, 0),
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    awardAfterCloseMs: round(awardMs, 0),
    awardObservedMs: observedMs,
    baselineInsertsPerSecond: round(CARRIERS / baseSeconds, 0),
    baselineP50Ms: round(percentile(baseLat, 50), 2),
    baselineP99Ms: round(percentile(baseLat, 99), 2),
    ratio: round(accepted / apiSeconds / (CARRIERS / baseSeconds), 2),
    queueBackend: process.env.REDIS_URL ? "redis" : "postgres",
    machine: machine(),
  };

  writeSection(
    "marketplace",
    `## Marketplace: 1,000 carriers bid on one load, then auto-award (\`bench/marketplace.ts\`)

${CARRIERS} verified carriers (seeded directly) each send one \`POST /v1/loads/{id}/bids\`, all
in flight at once over ${CONNECTIONS} keep-alive HTTP connections, to a node process (pool of
${POOL} database connections; ${figures.queueBackend} queue backend). Each bid: API-key lookup
(every key is new), zod validation, the carrier's profile and fleet, the load locked FOR SHARE
with the database-clock check, eligibility (licence, insurance, permit, vehicle capacity and
mode), then the bid, its feed event and its audit entry pipelined, in one transaction.
Latencies include the time a request waits behind the others. Bidding then closes and the
delayed BullMQ job applies \`lowest_price\`, issuing the waybill.
Baseline: the same ${CARRIERS} bid rows as raw single-row inserts through postgres.js at the
same concurrency on a pool of ${POOL}.

Machine: ${figures.machine}.

| | rows/s | p50 ms | p99 ms |
|---|---:|---:|---:|
| API bids | ${figures.bidsPerSecond} | ${figures.p50Ms} | ${figures.p99Ms} |
| baseline (raw insert) | ${figures.baselineInsertsPerSecond} | ${figures.baselineP50Ms} | ${figures.baselineP99Ms} |

Ratio API / baseline: **${figures.ratio}**. Accepted ${accepted} of ${CARRIERS}
(statuses ${JSON.stringify(figures.statuses)}). Award committed **${figures.awardAfterCloseMs} ms**
after closing by the database clock (seen by a poller after ${observedMs} ms).
Targets: ≥ 1,500 bids/s; award within 1 s of closing.

Where the time goes: the node process is CPU-bound on one core (PostgreSQL and the load
generator share the other) while its database connections mostly wait for it. drizzle's
query builders took about 40% of its CPU per bid; the bid path now sends fixed SQL text
(\`db/queries\`), which took this benchmark from about 200 to 270 bids/s. What remains is
spread out: socket writes (a system call per statement and per response, about 20%), HTTP
and middleware, validation and eligibility. A bid costs four round trips (BEGIN, one read
locking the load, the pipelined writes, COMMIT). 1,500 bids/s would need about a sixth of
today's CPU per bid, or more node processes behind one address.`,
  );
  console.log(JSON.stringify(figures));
} finally {
  await sql.end();
  await database.close();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await fresh.drop();
  await server.stop();
}
