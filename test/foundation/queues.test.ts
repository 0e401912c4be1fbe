import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { recordAudit } from "../../core/audit/append";
import { openCheckpointFile } from "../../core/audit/checkpoints";
import { systemClock } from "../../core/context";
import { generateNodeKey, nodeIdentity } from "../../core/identity/node-identity";
import { withTransaction } from "../../core/transaction";
import { loadSeedEngine } from "../../seed/network";
import { startWorker, startWorkers } from "../../workers";
import { Queues } from "../../workers/queues";
import { defineQueue } from "../../workers/queues/define";
import { housekeepingQueue } from "../../workers/queues/housekeeping";
import { createTestDatabase } from "../support/db";
import { queueBackends } from "../support/queues";

const database = await createTestDatabase();
const logger = pino({ level: "silent" });
const identity = await nodeIdentity(generateNodeKey());
const dataDir = await mkdtemp(join(tmpdir(), "caravan-test-"));
afterAll(() => rm(dataDir, { recursive: true, force: true }));
const auditCheckpoints = await openCheckpointFile(join(dataDir, "audit-checkpoints.jws"), identity);

const probeQueue = defineQueue(
  "probe",
  {
    "probe.echo": z.strictObject({ n: z.number().int() }),
    "probe.flaky": z.strictObject({ failTimes: z.number().int() }),
  },
  { defaults: { attempts: 4, backoff: { type: "fixed", delay: 50 } }, concurrency: 2 },
);

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(queueBackends())("BullMQ on $name", (backend) => {
  describe.skipIf(!backend.available)("typed queues and workers", () => {
    const runtime = backend.create(database.url);
    const queues = new Queues(runtime);
    const deps = {
      ctx: {
        db: database.db,
        actor: { kind: "system" as const, name: "test" },
        clock: systemClock,
        identity,
        network: loadSeedEngine(),
      },
      logger,
      queues,
      auditCheckpoints,
    };
    afterAll(async () => {
      await queues.close();
      await runtime.close();
    });

    it("is reachable", async () => {
      expect(await runtime.ping()).toBe(true);
    });

    it("checks payloads before enqueueing", async () => {
      await expect(
        queues.enqueue(probeQueue, "probe.echo", { n: "one" } as unknown as { n: number }),
      ).rejects.toThrow(/expected number/);
    });

    it("processes jobs, retries transient failures and does not retry bad payloads", async () => {
      const seen: number[] = [];
      const attempts = new Map<string, number>();
      const worker = startWorker(
        probeQueue,
        {
          "probe.echo": async ({ n }) => {
            seen.push(n);
            return n * 2;
          },
          "probe.flaky": async ({ failTimes }, _deps, job) => {
            const id = String(job.id);
            const count = (attempts.get(id) ?? 0) + 1;
            attempts.set(id, count);
            if (count <= failTimes) throw new Error(`transient failure ${count}`);
            return "done";
          },
        },
        deps,
      );
      await worker.waitUntilReady();
      for (let n = 0; n < 10; n++) await queues.enqueue(probeQueue, "probe.echo", { n });
      await queues.enqueue(probeQueue, "probe.flaky", { failTimes: 2 });
      // Bypass the typed producer, as a corrupt or old job would.
      await queues.get(probeQueue).add("probe.echo", { n: "bad" });

      await until("ten echoes", async () => (seen.length === 10 ? true : undefined));
      expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await until("flaky job to succeed", async () =>
        [...attempts.values()][0] === 3 ? true : undefined,
      );
      const counts = await until("bad job to fail", async () => {
        const c = await queues
          .get(probeQueue)
          .getJobCounts("completed", "failed", "waiting", "delayed");
        return c.completed === 11 && c.failed === 1 ? c : undefined;
      });
      expect(counts).toMatchObject({ completed: 11, failed: 1, waiting: 0, delayed: 0 });
      await worker.close();
    });

    it("runs the node's workers: the audit chain check seals and verifies every entry", async () => {
      await withTransaction(deps.ctx, async (tx) => {
        for (let n = 0; n < 3; n++) {
          recordAudit(tx, {
            action: "probe.recorded",
            entityType: "probe",
            entityId: `probe_${backend.name}_${n}`,
            data: { n },
          });
        }
      });
      const lines: Record<string, unknown>[] = [];
      const logger = pino(
        { level: "info" },
        new Writable({
          write(chunk, _encoding, done) {
            lines.push(JSON.parse(String(chunk)));
            done();
          },
        }),
      );
      const running = await startWorkers({ ...deps, logger });
      try {
        await queues.enqueue(housekeepingQueue, "audit.verify", {});
        const verified = await until("audit.verify to finish", async () =>
          lines.find((l) => l.msg === "audit chain verified" || l.job === "audit.verify"),
        );
        const [audit] = await database.sql<{ total: number; unsealed: number }[]>`
          select count(*)::int as total, count(*) filter (where hash is null)::int as unsealed
            from audit_log`;
        expect(verified).toMatchObject({ msg: "audit chain verified", entries: audit?.total });
        expect(audit).toEqual({ total: expect.any(Number), unsealed: 0 });
        expect(audit?.total).toBeGreaterThanOrEqual(3);
        expect(lines.filter((l) => (l.level as number) >= 40)).toEqual([]);
      } finally {
        await running.stop();
      }
    });

    it("runs the node's workers: the purge of idempotency keys past 24 hours", async () => {
      const org = `org_queues_${backend.name}`;
      await database.sql`
        insert into organizations (id, kind, status, name, country)
        values (${org}, 'shipper', 'verified', 'Purge Test', 'CN')`;
      await database.sql`
        insert into idempotency_keys (org_id, key, request_hash, state, created_at) values
          (${org}, 'old', 'h', 'done', now() - interval '25 hours'),
          (${org}, 'new', 'h', 'done', now() - interval '23 hours')`;
      const running = await startWorkers(deps);
      await queues.enqueue(housekeepingQueue, "idempotency.purge", {});
      const left = await until("the expired key to be purged", async () => {
        const rows = await database.sql`select key from idempotency_keys where org_id = ${org}`;
        return rows.length === 1 ? rows.map((r) => r.key) : undefined;
      });
      expect(left).toEqual(["new"]);
      await running.stop();
    });

    it("lets a worker finish its active job when closed", async () => {
      let finished = false;
      const worker = startWorker(
        probeQueue,
        {
          "probe.echo": async () => {
            await new Promise((r) => setTimeout(r, 300));
            finished = true;
          },
          "probe.flaky": async () => undefined,
        },
        deps,
      );
      await worker.waitUntilReady();
      await queues.enqueue(probeQueue, "probe.echo", { n: 99 });
      await until("job to become active", async () => {
        const c = await queues.get(probeQueue).getJobCounts("active");
        return (c.active ?? 0) > 0 ? true : undefined;
      });
      await worker.close();
      expect(finished).toBe(true);
    });
  });
});
