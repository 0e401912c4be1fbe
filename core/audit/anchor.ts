import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { auditLog } from "../../db/schema";
import type { Ctx } from "../context";
import { entryHash } from "./append";
import type { Checkpoint, CheckpointStore } from "./checkpoints";
import { sealAuditLog } from "./seal";
import { type ChainPoint, type ChainVerdict, GENESIS, verifyAuditChain, walkChain } from "./verify";

export type CheckpointOutcome =
  | { ok: true; checkpoint: Checkpoint | null; adopted: boolean }
  | { ok: false; verdict: ChainVerdict };

/**
 * Seals what is pending, checks the entries added since the latest checkpoint, and signs a
 * new checkpoint when the chain has grown. A chain that fails the check is not signed: the
 * full verification's verdict comes back instead.
 *
 * With no checkpoint yet (a new node, one upgraded from before checkpoints, or one whose
 * checkpoints are lost), a chain whose hashes link is signed even where proofs are missing,
 * and `adopted` says so; the node signs one at start-up, so that window is its first moments.
 */
export async function checkpointAuditLog(deps: {
  ctx: Ctx;
  store: CheckpointStore;
}): Promise<CheckpointOutcome> {
  const { ctx, store } = deps;
  const { db, identity } = ctx;
  await sealAuditLog(db, identity);
  const last = store.latest();
  const from = last ? await anchorPoint(db, last) : GENESIS;
  let walked = from
    ? await walkChain(db, identity, from, { proveAfter: last?.count ?? 0, checkpoint: null })
    : null;
  let adopted = false;
  if (!last && walked?.bad) {
    // No checkpoint to hold the table to: entries without this key's proof (written before
    // proofs, or under another key) are taken as they are, once, if the hashes link.
    walked = await walkChain(db, identity, GENESIS, {
      proveAfter: Number.POSITIVE_INFINITY,
      checkpoint: null,
    });
    adopted = true;
  }
  if (!walked || walked.bad) {
    return { ok: false, verdict: await verifyAuditChain(ctx, { checkpoint: last }) };
  }
  if (last && walked.head.seq === last.count) {
    return { ok: true, checkpoint: null, adopted: false };
  }
  const checkpoint = await store.add({
    count: walked.head.seq,
    head: walked.head.hash,
    at: ctx.clock.now().toISOString(),
    node: ctx.nodeCode,
  });
  return { ok: true, checkpoint, adopted };
}

/** The checkpointed entry as a point to walk on from, or null if the table no longer has it. */
async function anchorPoint(db: Db, cp: Checkpoint): Promise<ChainPoint | null> {
  if (cp.count === 0) return GENESIS;
  const [row] = await db.select().from(auditLog).where(eq(auditLog.seq, cp.count));
  if (!row?.prevHash || row.hash !== cp.head) return null;
  if (entryHash(row.prevHash, { ...row, seq: cp.count }) !== cp.head) return null;
  return { seq: cp.count, hash: cp.head, at: row.at };
}

/**
 * Signs a checkpoint now and every `intervalMs` (when the chain has grown), and once more on
 * stop. Every outcome goes to `onOutcome`, which logs it: the log is the second place a
 * checkpoint is kept.
 */
export function startAuditCheckpoints(
  deps: { ctx: Ctx; store: CheckpointStore },
  opts: {
    intervalMs: number;
    onOutcome: (outcome: CheckpointOutcome) => void;
    onError: (err: unknown) => void;
  },
): { ready: Promise<void>; stop(): Promise<void> } {
  const pass = () => checkpointAuditLog(deps).then(opts.onOutcome).catch(opts.onError);
  let running: Promise<unknown> = pass();
  const ready = running.then(() => undefined);
  const timer = setInterval(() => {
    running = running.then(pass);
  }, opts.intervalMs);
  return {
    ready,
    async stop() {
      clearInterval(timer);
      await running;
      await pass();
    },
  };
}
