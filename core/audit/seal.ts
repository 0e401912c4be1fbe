import { type Db, transaction } from "../../db/client";
import {
  auditChainHead,
  lockAuditChain,
  type SealedLink,
  sealAuditEntries,
  unsealedAuditEntries,
} from "../../db/queries/audit";
import type { NodeIdentity } from "../identity/node-identity";
import { type ChainedFields, entryHash, GENESIS_HASH } from "./append";
import { contentJson, entryProblem } from "./proof";

const BATCH = 2_000;

/** An unsealed entry the sealer will not chain, and why. */
export interface RefusedEntry {
  id: number;
  reason: string;
}

export interface SealResult {
  sealed: number;
  refused: RefusedEntry[];
}

/**
 * Chains every committed, unsealed entry in insertion order: `seq` = previous + 1 and
 * `hash` = sha256(prevHash, canonical entry). One sealer at a time (advisory lock), so the
 * chain never forks; the entry's content is hashed as stored.
 *
 * An entry without the node's valid proof, or dated before the entry it would follow, is
 * refused: it stays unsealed (so it cannot be chained by re-running the sealer) and is
 * returned, for the caller to raise and for verification to report.
 */
export async function sealAuditLog(db: Db, identity: NodeIdentity): Promise<SealResult> {
  const result: SealResult = { sealed: 0, refused: [] };
  let after = 0;
  for (;;) {
    const scanned = await transaction(db, async (tx) => {
      await lockAuditChain(tx);
      const rows = await unsealedAuditEntries(tx, after, BATCH);
      if (rows.length === 0) return 0;
      const head = await auditChainHead(tx);
      let seq = head?.seq ?? 0;
      let prevHash = head?.hash ?? GENESIS_HASH;
      let prevAt = head?.at ?? null;
      const chained: SealedLink[] = [];
      for (const row of rows) {
        const json = contentJson(row);
        const problem = entryProblem(identity, row, prevAt, json);
        if (problem) {
          result.refused.push({ id: row.id, reason: problem });
          continue;
        }
        seq += 1;
        const hash = entryHash(prevHash, { ...row, seq } satisfies ChainedFields, json);
        chained.push({ id: row.id, seq, prev: prevHash, hash });
        prevHash = hash;
        prevAt = row.at;
      }
      await sealAuditEntries(tx, chained);
      result.sealed += chained.length;
      after = rows[rows.length - 1]?.id ?? after;
      return rows.length;
    });
    if (scanned < BATCH) return result;
  }
}

/**
 * Seals in the background every `intervalMs` until stopped; stop() waits for a running pass.
 * Each refused entry is reported once per process through `onRefused`.
 */
export function startAuditSealer(
  db: Db,
  identity: NodeIdentity,
  opts: {
    intervalMs: number;
    onError: (err: unknown) => void;
    onRefused: (entry: RefusedEntry) => void;
  },
): { stop(): Promise<void> } {
  const reported = new Set<number>();
  const pass = async () => {
    const { refused } = await sealAuditLog(db, identity);
    for (const entry of refused) {
      if (reported.has(entry.id)) continue;
      reported.add(entry.id);
      opts.onRefused(entry);
    }
  };
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(pass).catch(opts.onError);
  }, opts.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await pass().catch(opts.onError);
    },
  };
}
