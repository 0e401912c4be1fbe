import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { redisRuntime } from "../../workers/runtime";
import { createTestDatabase } from "../support/db";
import { type QueueBackendCase, queueBackends } from "../support/queues";
import { canRunOwnRedis, freePort, type OwnRedis, ownRedis } from "../support/redis";
import {
  converged,
  expectAppliedOnce,
  keepShipping,
  type Parties,
  parties,
  type Reachable,
  shipToAlmaty,
  sleep,
} from "./fault-support";
import { eventually } from "./support";
import {
  registerPartner,
  registerPartnerAt,
  type ServedNode,
  servedNode,
} from "./transport-support";

// Faults between two nodes, each with its own database and queues, over real HTTP on
// loopback. Each case ends with both nodes holding the same waybills and events, and every
// outbox row applied once at the receiver however often it was sent.

/** How long the receiver stays down: a minute unless set shorter for a quick local run. */
const OUTAGE_MS = Number(process.env.CARAVAN_FAULT_OUTAGE_MS ?? 60_000);
/** The sender gives up on an answer after 10 s (core/federation/deliver.ts). */
const SLOWER_THAN_TIMEOUT_MS = 11_000;
/** The database server is shared with other test files: each node keeps a small pool. */
const POOL = 4;
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TO_KZ = { countries: ["KZ"], regions: [] };
const TO_XJ = { countries: ["CN"], regions: ["65"] };

const reach = (s: ServedNode): Reachable => ({ url: s.url, adminKey: s.node.adminKey });
const pair = (xj: ServedNode, kz: ServedNode) =>
  [
    { code: "XJ", sql: xj.node.database.sql },
    { code: "KZ", sql: kz.node.database.sql },
  ] as const;

const [postgresBackend, sharedRedisBackend] = queueBackends() as [
  QueueBackendCase,
  QueueBackendCase,
];
/** For a node that only receives: its queues stay off the shared database server if they can. */
const receiverBackend = sharedRedisBackend.available ? sharedRedisBackend : postgresBackend;

describe.each(queueBackends())("federation faults on $name", (backend) => {
  describe.skipIf(!backend.available)("XJ sending to KZ", async () => {
    if (!backend.available) return;
    const xj = await servedNode("XJ", backend, { pool: POOL });
    // Only the sender's queues are under test here.
    const kz = await servedNode("KZ", receiverBackend, { pool: POOL });
    await registerPartner(xj, kz, TO_KZ);
    await registerPartner(kz, xj, TO_XJ);
    const p = await parties(reach(xj));

    it(
      "drains what was written while KZ was down, once it is back",
      async () => {
        await kz.down();
        const writing = keepShipping(reach(xj), p, 500);
        await sleep(OUTAGE_MS);
        await writing.stop();
        const sync = async () =>
          (await xj.node.call("GET", "/v1/partners/KZ/sync", { key: xj.node.adminKey })).body;
        expect(await sync()).toMatchObject({ reachable: false, deadLetters: 0 });
        expect((await sync()).backlog).toBeGreaterThanOrEqual(writing.numbers.length * 3);
        await kz.up();
        expect(await eventually(() => converged(...pair(xj, kz)), 60_000)).toBe(true);
        await expectAppliedOnce(kz.node.database.sql, writing.numbers);
        expect(await sync()).toMatchObject({ reachable: true, backlog: 0, deadLetters: 0 });
      },
      OUTAGE_MS + 90_000,
    );

    it("applies once a batch KZ answered later than the sender waits", async () => {
      kz.fault.delayMs = SLOWER_THAN_TIMEOUT_MS;
      const sent = kz.inbox.length;
      const number = await shipToAlmaty(reach(xj), p);
      expect(await eventually(async () => kz.inbox.length > sent, 10_000)).toBe(true);
      // Later batches are answered at once; the first is applied and answered too late.
      kz.fault.delayMs = null;
      expect(await eventually(() => converged(...pair(xj, kz)), 45_000)).toBe(true);
      const carrying = kz.inbox.slice(sent).filter((r) => r.body.includes(number));
      expect(carrying.length).toBeGreaterThanOrEqual(2);
      const [row] = await xj.node.database.sql<{ attempts: number }[]>`
        select max(attempts)::int as attempts from federation_outbox where waybill_number = ${number}`;
      expect(row?.attempts).toBeGreaterThanOrEqual(2);
      await expectAppliedOnce(kz.node.database.sql, [number]);
    }, 70_000);
  });
});

/** A backend on a Redis of the test's own, which the test may stop. */
function ownRedisBackend(redis: OwnRedis): QueueBackendCase {
  return {
    name: "redis",
    available: true,
    create: () => redisRuntime(redis.url, { prefix: "caravan_faults" }),
  };
}

// One receiver for the senders below, each under a code of its own.
const kz = await servedNode("KZ", receiverBackend, { pool: POOL });

describe.skipIf(!canRunOwnRedis)("a Redis outage at the sender (needs redis-server)", async () => {
  if (!canRunOwnRedis) return;
  const redis = await ownRedis();
  // Registered first, so it runs after the workers have closed on it.
  afterAll(() => redis.dispose());
  const xj = await servedNode("XJ", ownRedisBackend(redis), { pool: POOL });
  await registerPartner(xj, kz, TO_KZ);
  await registerPartner(kz, xj, TO_XJ);
  const p = await parties(reach(xj));

  it("loses nothing written while Redis was gone, and doubles nothing", async () => {
    const before = await shipToAlmaty(reach(xj), p);
    await redis.stop();
    const writing = keepShipping(reach(xj), p, 200);
    await sleep(3_000);
    await writing.stop();
    expect(writing.numbers.length).toBeGreaterThan(3);
    // It comes back empty: the jobs for these rows are gone, and the sweep finds them.
    await redis.start();
    const after = await shipToAlmaty(reach(xj), p);
    expect(await eventually(() => converged(...pair(xj, kz)), 60_000)).toBe(true);
    await expectAppliedOnce(kz.node.database.sql, [before, ...writing.numbers, after]);
  }, 90_000);
});

const ADMIN_KEY = "cvn_faults_admin_key_0123456789abcdef";

/** A node as an operator runs it: `api/server.ts` in a process of its own, on `port`. */
async function startNodeProcess(code: string, databaseUrl: string, port: number, redisUrl: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "api/server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      PORT: String(port),
      CARAVAN_NODE_CODE: code,
      CARAVAN_DB_POOL: String(POOL),
      CARAVAN_EGRESS_ALLOW: "127.0.0.0/8",
      CARAVAN_ADMIN_KEY: ADMIN_KEY,
      CARAVAN_RATE_LIMIT: "1000000",
      CARAVAN_REGISTRATIONS_PER_HOUR: "1000000",
      LOG_LEVEL: "fatal",
    },
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const up = await eventually(async () => {
    if (child.exitCode !== null) throw new Error(output);
    return /API\s+http:\/\//.test(output);
  }, 30_000);
  expect(up, output).toBe(true);
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = once(child, "exit");
  child.kill(signal);
  await gone;
}

describe("a sending node killed mid-batch", () => {
  it.for([
    { name: "postgres", code: "GS", available: true },
    { name: "redis", code: "CN", available: canRunOwnRedis },
  ])(
    "resends on $name what it had not recorded as delivered; KZ applies it once",
    { timeout: 120_000 },
    async ({ name, code, available }, { skip }) => {
      if (!available) skip("redis-server is not installed");
      const redis = name === "redis" ? await ownRedis() : null;
      onTestFinished(() => redis?.dispose());
      const database = await createTestDatabase({ max: 2 });
      onTestFinished(() => database.close());
      const port = await freePort();
      const sender: Reachable = { url: `http://127.0.0.1:${port}`, adminKey: ADMIN_KEY };
      const start = () => startNodeProcess(code, database.url, port, redis?.url ?? "");
      let child = await start();
      onTestFinished(() => kill(child, "SIGTERM"));
      await registerPartnerAt(sender, kz.url, TO_KZ);
      await registerPartnerAt(reach(kz), sender.url, TO_XJ);
      const p: Parties = await parties(sender);

      // KZ refuses while the backlog builds up, then applies the next batch and holds its
      // answer: killed now, the sender has not recorded it.
      kz.fault.status = 503;
      const numbers: string[] = [];
      for (let i = 0; i < 10; i++) numbers.push(await shipToAlmaty(sender, p));
      kz.fault.delayMs = 8_000;
      kz.fault.status = null;
      const applied = async () =>
        (
          await kz.node.database.sql<{ n: number }[]>`
          select count(*)::int as n from federation_inbox where sender = ${code}`
        )[0]?.n ?? 0;
      expect(await eventually(async () => (await applied()) > 0, 15_000)).toBe(true);
      await kill(child, "SIGKILL");
      const [delivered] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from federation_outbox where status = 'delivered'`;
      expect(delivered?.n ?? 0).toBeLessThan(await applied());

      kz.fault.delayMs = null;
      child = await start();
      const from = { code, sql: database.sql };
      expect(
        await eventually(() => converged(from, { code: "KZ", sql: kz.node.database.sql }), 60_000),
      ).toBe(true);
      await expectAppliedOnce(kz.node.database.sql, numbers);
    },
  );
});
