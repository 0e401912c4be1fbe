import { asc, desc, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { sealedAuditEntries } from "../../db/queries/audit";
import { auditLog } from "../../db/schema";
import type { Ctx } from "../context";
import { ForbiddenError } from "../errors";
import type { NodeIdentity } from "../identity/node-identity";
import { entryHash, GENESIS_HASH } from "./append";
import type { Checkpoint } from "./checkpoints";
import { contentJson, entryProblem } from "./proof";
import { type RefusedEntry, sealAuditLog } from "./seal";

export interface BadEntry {
  /** The entry's place in the chain (for a missing entry, the place it should hold). */
  seq: number;
  /** The row, when one is to blame (an unsealed entry has no `seq` of its own). */
  id?: number;
  reason: string;
}

export interface ChainVerdict {
  ok: boolean;
  /** Entries checked, in order, before the verdict. */
  entries: number;
  /** The first entry that breaks the chain, its anchor or its proofs, or null. */
  firstBadEntry: BadEntry | null;
  /** Hash of the last good entry. */
  headHash: string;
  /** The signed checkpoint the table was held against, or null before the first one. */
  checkpoint: Pick<Checkpoint, "count" | "head" | "at" | "kid"> | null;
  /** Entries the sealer will not chain (no valid proof, or dated backwards). */
  refused: RefusedEntry[];
}

/** A point in the chain to walk on from: `seq` 0 is the genesis. */
export interface ChainPoint {
  seq: number;
  hash: string;
  at: Date | null;
}

export const GENESIS: ChainPoint = { seq: 0, hash: GENESIS_HASH, at: null };

// Each batch is checked without yielding (canonical JSON, HMAC and SHA-256 per entry): a
// thousand keeps a checkpoint's walk from holding the event loop for more than milliseconds.
const BATCH = 1_000;
const MAX_REFUSED = 100;

/**
 * Walks the sealed entries after `from` in order, recomputing every hash; stops at the first
 * break. Entries after `proveAfter` must also carry a valid proof and run forwards in time;
 * those up to it are vouched for by a signed checkpoint instead. When `checkpoint` is given,
 * the entry it counted must hash to the head it signed.
 */
export async function walkChain(
  db: Db,
  identity: NodeIdentity,
  from: ChainPoint,
  opts: { proveAfter: number; checkpoint: Checkpoint | null },
): Promise<{ bad: BadEntry | null; head: ChainPoint }> {
  let head = from;
  for (;;) {
    const rows = await sealedAuditEntries(db, head.seq, BATCH);
    for (const row of rows) {
      const expected = head.seq + 1;
      const bad = (reason: string) => ({ bad: { seq: expected, id: row.id, reason }, head });
      if (row.seq !== expected) {
        // The entry that should be here is gone (deleted, or unsealed and moved on): name it,
        // not the one found in its place.
        return {
          bad: { seq: expected, reason: `entry ${expected} is missing (next is ${row.seq})` },
          head,
        };
      }
      if (row.prevHash !== head.hash) return bad("prevHash does not match the previous entry");
      const json = contentJson(row);
      const hash = entryHash(head.hash, { ...row, seq: expected }, json);
      if (!row.hash || hash !== row.hash) return bad("hash does not match the entry");
      const cp = opts.checkpoint;
      if (cp && expected === cp.count && hash !== cp.head) {
        return bad(
          `differs from the checkpoint signed at ${cp.at}: the entries up to it were rewritten`,
        );
      }
      if (expected > opts.proveAfter) {
        const problem = entryProblem(identity, row, head.at, json);
        if (problem) return bad(problem);
      }
      head = { seq: expected, hash, at: row.at };
    }
    if (rows.length < BATCH) return { bad: null, head };
  }
}

/** Unsealed entries the sealer refuses, judged as it judges them. */
async function refusedEntries(db: Db, identity: NodeIdentity): Promise<RefusedEntry[]> {
  const [last] = await db
    .select({ at: auditLog.at })
    .from(auditLog)
    .where(isNotNull(auditLog.seq))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  const unsealed = await db
    .select()
    .from(auditLog)
    .where(isNull(auditLog.hash))
    .orderBy(asc(auditLog.id))
    .limit(10 * MAX_REFUSED);
  const refused: RefusedEntry[] = [];
  for (const row of unsealed) {
    // An entry that commits between sealing and this look is merely pending, not refused.
    const problem = entryProblem(identity, row, last?.at ?? null);
    if (problem) refused.push({ id: row.id, reason: problem });
    if (refused.length === MAX_REFUSED) break;
  }
  return refused;
}

/**
 * Verifies the whole chain from its start: every hash, every proof not yet vouched for by
 * the latest signed checkpoint, and the table against that checkpoint, so that entries
 * deleted or rewritten by someone who can edit the database but does not hold the node's
 * key are caught and named.
 */
export async function verifyAuditChain(
  ctx: Ctx,
  opts: { checkpoint: Checkpoint | null },
): Promise<ChainVerdict> {
  if (!["admin", "regulator", "system"].includes(ctx.actor.kind)) {
    throw new ForbiddenError("only admins and regulators may verify the audit chain");
  }
  // Everything committed so far is chained first, so the verdict covers every change.
  await sealAuditLog(ctx.db, ctx.identity);
  const cp = opts.checkpoint;
  let { bad, head } = await walkChain(ctx.db, ctx.identity, GENESIS, {
    proveAfter: cp?.count ?? 0,
    checkpoint: cp,
  });
  if (!bad && cp && head.seq < cp.count) {
    const first = head.seq + 1;
    bad = {
      seq: first,
      reason:
        `${first === cp.count ? `entry ${first} is` : `entries ${first} to ${cp.count} are`} ` +
        `missing: the checkpoint signed at ${cp.at} counted ${cp.count}`,
    };
  }
  const refused = await refusedEntries(ctx.db, ctx.identity);
  const firstRefused = refused[0];
  if (!bad && firstRefused) {
    bad = { seq: head.seq + 1, id: firstRefused.id, reason: firstRefused.reason };
  }
  return {
    ok: bad === null,
    entries: head.seq,
    firstBadEntry: bad,
    headHash: head.hash,
    checkpoint: cp && { count: cp.count, head: cp.head, at: cp.at, kid: cp.kid },
    refused,
  };
}
