import { transaction } from "../db/client";
import { flushRecordedAudit } from "./audit/append";
import type { Ctx, TxState } from "./context";
import { recordCommittedResult } from "./idempotency";

/**
 * Runs `fn` in one transaction; nested calls reuse the outer one. Audit entries recorded
 * inside are inserted, unchained and without a lock, as the last statement; the sealer gives
 * them their place in the chain after commit. Under an `Idempotency-Key` the result is stored
 * with the write, so the key and the change commit together.
 */
export async function withTransaction<T>(
  ctx: Ctx,
  fn: (ctx: Ctx & { tx: TxState }) => Promise<T>,
): Promise<T> {
  if (ctx.tx) return fn(ctx as Ctx & { tx: TxState });
  const state: TxState = { audit: [], afterCommit: [] };
  const result = await transaction(ctx.db, async (tx) => {
    const inner = { ...ctx, db: tx, tx: state };
    const value = await fn(inner);
    if (ctx.idempotency) await recordCommittedResult(tx, ctx.idempotency, value);
    if (state.audit.length > 0) await flushRecordedAudit(inner);
    return value;
  });
  for (const hook of state.afterCommit) await hook();
  return result;
}
