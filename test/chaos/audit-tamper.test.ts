import { stat } from "node:fs/promises";
import { Writable } from "node:stream";
import { asc, gte } from "drizzle-orm";
import pino from "pino";
import type postgres from "postgres";
import { describe, expect, it } from "vitest";
import { checkpointAuditLog } from "../../core/audit/anchor";
import { entryHash } from "../../core/audit/append";
import { openCheckpointFile } from "../../core/audit/checkpoints";
import { auditProof } from "../../core/audit/proof";
import { type Ctx, systemClock } from "../../core/context";
import { auditLog } from "../../db/schema";
import { housekeepingQueue } from "../../workers/queues/housekeeping";
import { carrierWithTruck, placeBid, postLoad } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { registerCarrier, registerShipper } from "../support/fixtures";
import { queueBackends, testWorkers } from "../support/queues";

// The threat a tamper-evident log exists for: someone with the database superuser's powers
// (triggers bypassed, any row written), but without the node's key or its data directory.

function nodeCtx(node: TestNode): Ctx {
  return {
    db: node.database.db,
    actor: { kind: "system", name: "test" },
    clock: systemClock,
    identity: node.identity,
    network: node.network,
    nodeCode: "XJ",
  };
}

async function checkpoint(node: TestNode) {
  const outcome = await checkpointAuditLog({ ctx: nodeCtx(node), store: node.auditCheckpoints });
  if (!outcome.ok) throw new Error(`checkpoint refused: ${JSON.stringify(outcome.verdict)}`);
  expect(outcome.adopted).toBe(false); // every entry the node wrote carries its proof
  return outcome.checkpoint;
}

async function verify(node: TestNode) {
  const res = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** As a superuser with the append-only triggers switched off. */
async function asSuperuser(
  node: TestNode,
  edit: (tx: postgres.TransactionSql) => Promise<unknown>,
) {
  await node.database.sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await edit(tx);
  });
}

/** A node with a few entries on the log, all sealed and covered by a signed checkpoint. */
async function checkpointedNode() {
  const node = await createTestNode();
  await registerShipper(node);
  await registerCarrier(node);
  const cp = await checkpoint(node);
  if (!cp) throw new Error("expected a first checkpoint");
  return { node, count: cp.count, cp };
}

async function newest(node: TestNode) {
  const [row] = await node.database.sql<{ id: number; seq: number }[]>`
    select id::int as id, seq::int as seq from audit_log order by seq desc nulls last limit 1`;
  if (!row) throw new Error("empty log");
  return row;
}

describe("a clean run", () => {
  it("stays ok through every kind of write, checkpoints, and the checkpoints' reopening", async () => {
    const node = await createTestNode();
    const shipper = await registerShipper(node);
    const carrier = await carrierWithTruck(node); // the vehicle's entry is written in raw SQL
    const load = await postLoad(node, shipper.key);
    const first = await checkpoint(node);
    await placeBid(node, load.id, carrier); // the bid's entry is pipelined with the bid
    const second = await checkpoint(node);
    expect(second?.count).toBeGreaterThan(first?.count ?? 0);
    const outcome = await checkpointAuditLog({ ctx: nodeCtx(node), store: node.auditCheckpoints });
    expect(outcome).toEqual({ ok: true, checkpoint: null, adopted: false });

    const res = await verify(node);
    expect(res).toMatchObject({
      ok: true,
      firstBadEntry: null,
      refused: [],
      entries: second?.count,
      checkpoint: { count: second?.count, head: second?.head, kid: node.identity.kid },
    });

    // The file, read afresh, yields the same latest checkpoint; only the node may read it.
    const path = `${node.dataDir}/audit-checkpoints.jws`;
    const reopened = await openCheckpointFile(path, node.identity);
    expect(reopened.latest()?.jws).toBe(second?.jws);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});

describe("a chain written before entries carried proofs", () => {
  it("is adopted by the first checkpoint, and entries after it need their proofs", async () => {
    const node = await createTestNode();
    await registerShipper(node);
    await verify(node);
    // As a node of the previous version left it: sealed entries without proofs.
    await asSuperuser(node, (tx) => tx`update audit_log set proof = null`);
    expect((await verify(node)).firstBadEntry).toMatchObject({
      seq: 1,
      reason: expect.stringMatching(/no proof/),
    });
    const first = await checkpointAuditLog({ ctx: nodeCtx(node), store: node.auditCheckpoints });
    expect(first).toMatchObject({ ok: true, adopted: true });
    expect(await verify(node)).toMatchObject({ ok: true, firstBadEntry: null });

    await registerShipper(node);
    await verify(node);
    const target = await newest(node);
    await asSuperuser(node, (tx) => tx`update audit_log set proof = null where id = ${target.id}`);
    expect((await verify(node)).firstBadEntry).toMatchObject({
      seq: target.seq,
      reason: expect.stringMatching(/no proof/),
    });
  });
});

describe("deleting the newest entries, triggers bypassed", () => {
  it("is caught against the checkpoint, naming the first missing entry", async () => {
    const { node, count, cp } = await checkpointedNode();
    await asSuperuser(node, (tx) => tx`delete from audit_log where seq > ${count - 2}`);
    const res = await verify(node);
    expect(res.ok).toBe(false);
    expect(res.entries).toBe(count - 2);
    expect(res.firstBadEntry).toEqual({
      seq: count - 1,
      reason: `entries ${count - 1} to ${count} are missing: the checkpoint signed at ${cp.at} counted ${count}`,
    });
    // And the node signs nothing over the shortened chain.
    const again = await checkpointAuditLog({ ctx: nodeCtx(node), store: node.auditCheckpoints });
    expect(again.ok).toBe(false);
    expect(node.auditCheckpoints.latest()?.jws).toBe(cp.jws);
  });

  it("is caught when new entries have taken the deleted entries' places", async () => {
    const { node, count } = await checkpointedNode();
    await asSuperuser(node, (tx) => tx`delete from audit_log where seq > ${count - 2}`);
    await registerShipper(node);
    await registerShipper(node);
    const res = await verify(node);
    expect(res.ok).toBe(false);
    expect(res.firstBadEntry).toMatchObject({
      seq: count,
      reason: expect.stringMatching(/differs from the checkpoint .*rewritten/),
    });
  });
});

describe("rewriting the newest entry and clearing its seal", () => {
  const forge = (tx: postgres.TransactionSql, id: number) =>
    tx`update audit_log
       set data = jsonb_set(data, '{forged}', 'true'), seq = null, hash = null, prev_hash = null
       where id = ${id}`;

  it("is not re-chained by the sealer, and the checkpoint names the entry gone", async () => {
    const { node, count } = await checkpointedNode();
    const target = await newest(node);
    await asSuperuser(node, (tx) => forge(tx, target.id));
    const res = await verify(node);
    expect(res.ok).toBe(false);
    expect(res.entries).toBe(count - 1);
    expect(res.firstBadEntry).toMatchObject({
      seq: count,
      reason: expect.stringMatching(new RegExp(`^entry ${count} is missing: the checkpoint`)),
    });
    expect(res.refused).toEqual([
      { id: target.id, reason: expect.stringMatching(/proof does not match its content/) },
    ]);
    const [row] = await node.database.sql`select hash from audit_log where id = ${target.id}`;
    expect(row?.hash).toBeNull();
  });

  it("is named by its proof when no checkpoint covers it yet", async () => {
    const { node } = await checkpointedNode();
    await registerShipper(node);
    await verify(node); // seals the new entries
    const target = await newest(node);
    await asSuperuser(node, (tx) => forge(tx, target.id));
    const res = await verify(node);
    expect(res.ok).toBe(false);
    expect(res.entries).toBe(target.seq - 1);
    expect(res.firstBadEntry).toEqual({
      seq: target.seq,
      id: target.id,
      reason: expect.stringMatching(/proof does not match its content/),
    });
  });

  it("is caught when re-chained by hand, before and after the checkpoint", async () => {
    const { node, count } = await checkpointedNode();
    await registerShipper(node);
    await verify(node);
    // The attacker recomputes the (unkeyed) hashes from the forged entry on.
    const rechain = async (seq: number) => {
      await asSuperuser(
        node,
        (tx) =>
          tx`update audit_log set data = jsonb_set(data, '{forged}', 'true') where seq = ${seq}`,
      );
      const rows = await node.database.db
        .select()
        .from(auditLog)
        .where(gte(auditLog.seq, seq))
        .orderBy(asc(auditLog.seq));
      let prev = rows[0]?.prevHash ?? "";
      await asSuperuser(node, async (tx) => {
        for (const r of rows) {
          const hash = entryHash(prev, { ...r, seq: r.seq ?? 0 });
          await tx`update audit_log set prev_hash = ${prev}, hash = ${hash} where id = ${r.id}`;
          prev = hash;
        }
      });
    };
    const last = await newest(node);
    await rechain(last.seq);
    const after = await verify(node);
    expect(after.firstBadEntry).toEqual({
      seq: last.seq,
      id: last.id,
      reason: expect.stringMatching(/proof does not match its content/),
    });

    await rechain(count - 1);
    const before = await verify(node);
    expect(before.firstBadEntry).toMatchObject({
      seq: count,
      reason: expect.stringMatching(/differs from the checkpoint/),
    });
  });
});

describe("inserting a forged entry backdated 300 days", () => {
  const backdated = () => new Date(Date.now() - 300 * 86_400_000);
  const forged = {
    actorKind: "admin",
    action: "organization.verified",
    entityType: "organization",
    entityId: "org_forged",
    data: { status: "verified" },
  };

  it("is refused by the sealer and named: no proof, and time runs backwards", async () => {
    const { node, count } = await checkpointedNode();
    const at = backdated();
    const [row] = await node.database.sql<{ id: number }[]>`
      insert into audit_log (at, actor_kind, action, entity_type, entity_id, data)
      values (${at.toISOString()}, ${forged.actorKind}, ${forged.action}, ${forged.entityType},
              ${forged.entityId}, ${JSON.stringify(forged.data)}::jsonb)
      returning id::int as id`;
    const res = await verify(node);
    expect(res.ok).toBe(false);
    expect(res.entries).toBe(count);
    expect(res.firstBadEntry).toEqual({
      seq: count + 1,
      id: row?.id,
      reason: expect.stringMatching(/no proof of being written by this node.*300 days before/),
    });
    const [after] = await node.database.sql`select seq from audit_log where id = ${row?.id ?? 0}`;
    expect(after?.seq).toBeNull();
  });

  it("is refused even with a genuine proof, as a replayed old entry would carry", async () => {
    const { node, count } = await checkpointedNode();
    const content = { ...forged, at: backdated(), actorOrgId: null, requestId: null };
    const proof = auditProof(node.identity, content);
    const [row] = await node.database.sql<{ id: number }[]>`
      insert into audit_log (at, actor_kind, action, entity_type, entity_id, data, proof)
      values (${content.at.toISOString()}, ${forged.actorKind}, ${forged.action}, ${forged.entityType},
              ${forged.entityId}, ${JSON.stringify(forged.data)}::jsonb, ${proof})
      returning id::int as id`;
    const res = await verify(node);
    expect(res.firstBadEntry).toEqual({
      seq: count + 1,
      id: row?.id,
      reason: "dated 300 days before the entry it follows (time runs backwards)",
    });
  });

  it("is named at its place when chained by hand", async () => {
    const { node, count, cp } = await checkpointedNode();
    const at = backdated();
    const seq = count + 1;
    const hash = entryHash(cp.head, {
      ...forged,
      at,
      seq,
      actorOrgId: null,
      requestId: null,
    });
    const [row] = await node.database.sql<{ id: number }[]>`
      insert into audit_log (seq, at, actor_kind, action, entity_type, entity_id, data, prev_hash, hash)
      values (${seq}, ${at.toISOString()}, ${forged.actorKind}, ${forged.action}, ${forged.entityType},
              ${forged.entityId}, ${JSON.stringify(forged.data)}::jsonb, ${cp.head}, ${hash})
      returning id::int as id`;
    const res = await verify(node);
    expect(res.entries).toBe(count);
    expect(res.firstBadEntry).toEqual({
      seq,
      id: row?.id,
      reason: expect.stringMatching(/no proof of being written by this node.*300 days before/),
    });
  });
});

describe("the housekeeping chain check", () => {
  it("fails its job, without retries, and logs an error when the chain is broken", async () => {
    const { node, count } = await checkpointedNode();
    await asSuperuser(node, (tx) => tx`delete from audit_log where seq = ${count}`);
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
    const [postgresBackend] = queueBackends();
    if (!postgresBackend) throw new Error("no queue backend");
    const workers = await testWorkers(postgresBackend).start(node, { logger });
    try {
      await workers.queues.enqueue(housekeepingQueue, "audit.verify", {});
      const deadline = Date.now() + 20_000;
      const failedLine = () => lines.find((l) => l.msg === "job failed");
      while (!failedLine() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(failedLine()).toMatchObject({
        job: "audit.verify",
        attempts: 1,
        err: `audit chain is broken at entry ${count}: entry ${count} is missing: the checkpoint signed at ${node.auditCheckpoints.latest()?.at} counted ${count}`,
      });
      // Failed for good: no check (this one, or the scheduled one at start) is tried again.
      await new Promise((r) => setTimeout(r, 1_000));
      const failures = lines.filter((l) => l.msg === "job failed" && l.job === "audit.verify");
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) expect(f.attempts).toBe(1);
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 50, msg: "audit chain is broken" }),
      );
    } finally {
      await workers.stop();
    }
  });
});
