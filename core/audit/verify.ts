import { and, asc, gt, isNotNull } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import type { Ctx } from "../context";
import { ForbiddenError } from "../errors";
import { entryHash, GENESIS_HASH } from "./append";
import { sealAuditLog } from "./seal";

export interface ChainVerdict {
  ok: boolean;
  entries: number;
  /** The first entry that does not follow from the one before it, or null. */
  firstBadEntry: { seq: number; reason: string } | null;
  headHash: string;
}

const BATCH = 5_000;

/** Walks the whole chain in order, recomputing every hash; stops at the first break. */
export async function verifyAuditChain(ctx: Ctx): Promise<ChainVerdict> {
  if (!["admin", "regulator", "system"].includes(ctx.actor.kind)) {
    throw new ForbiddenError("only admins and regulators may verify the audit chain");
  }
  // Everything committed so far is chained first, so the verdict covers every change.
  await sealAuditLog(ctx.db);
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const rows = await ctx.db
      .select()
      .from(auditLog)
      .where(and(isNotNull(auditLog.seq), gt(auditLog.seq, expectedSeq - 1)))
      .orderBy(asc(auditLog.seq))
      .limit(BATCH);
    for (const row of rows) {
      const bad = (reason: string): ChainVerdict => ({
        ok: false,
        entries,
        firstBadEntry: { seq: row.seq ?? expectedSeq, reason },
        headHash: prevHash,
      });
      if (row.seq !== expectedSeq) return bad(`expected entry ${expectedSeq}, found ${row.seq}`);
      if (row.prevHash !== prevHash) return bad("prevHash does not match the previous entry");
      if (!row.hash || entryHash(prevHash, { ...row, seq: expectedSeq }) !== row.hash) {
        return bad("hash does not match the entry");
      }
      prevHash = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
    if (rows.length < BATCH) break;
  }
  return { ok: true, entries, firstBadEntry: null, headHash: prevHash };
}
