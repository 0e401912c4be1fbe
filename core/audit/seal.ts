import { asc, desc, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { auditLog } from "../../db/schema";
import { AUDIT_LOCK, type ChainedFields, entryHash, GENESIS_HASH } from "./append";

const BATCH = 2_000;

/**
 * Chains every committed, unsealed entry in insertion order: `seq` = previous + 1 and
 * `hash` = sha256(prevHash, canonical entry). One sealer at a time (advisory lock), so the
 * chain never forks; the entry's content is hashed as stored. Returns how many it sealed.
 */
export async function sealAuditLog(db: Db): Promise<number> {
  let sealed = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
      const rows = await tx
        .select()
        .from(auditLog)
        .where(isNull(auditLog.hash))
        .orderBy(asc(auditLog.id))
        .limit(BATCH);
      if (rows.length === 0) return 0;
      const [head] = await tx
        .select({ seq: auditLog.seq, hash: auditLog.hash })
        .from(auditLog)
        .where(isNotNull(auditLog.seq))
        .orderBy(desc(auditLog.seq))
        .limit(1);
      let seq = head?.seq ?? 0;
      let prevHash = head?.hash ?? GENESIS_HASH;
      const chained = rows.map((row) => {
        seq += 1;
        const hash = entryHash(prevHash, { ...row, seq } satisfies ChainedFields);
        const link = { id: row.id, seq, prev: prevHash, hash };
        prevHash = hash;
        return link;
      });
      await tx.execute(sql`
        update audit_log a set seq = v.seq, prev_hash = v.prev, hash = v.hash
        from jsonb_to_recordset(${JSON.stringify(chained)}::jsonb)
          as v(id bigint, seq bigint, prev text, hash text)
        where a.id = v.id`);
      return rows.length;
    });
    sealed += n;
    if (n < BATCH) return sealed;
  }
}

/** Seals in the background every `intervalMs` until stopped; stop() waits for a running pass. */
export function startAuditSealer(
  db: Db,
  opts: { intervalMs: number; onError: (err: unknown) => void },
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => sealAuditLog(db)).catch(opts.onError);
  }, opts.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await sealAuditLog(db).catch(opts.onError);
    },
  };
}
