import { createHash } from "node:crypto";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { idempotencyKeys } from "../db/schema";

/** A claim older than this is presumed abandoned (its process died) and may be taken over. */
const STALE_MS = 60_000;

/** A claimed key, carried in the request's context so its write can settle it (see below). */
export interface IdempotencyClaim {
  orgId: string;
  key: string;
}

/**
 * Status replayed for a key whose write committed but whose response was never stored (the
 * process died in between): creating POSTs answer 201.
 */
const COMMITTED_STATUS = 201;

export type Claim =
  | { kind: "claimed" }
  | { kind: "replay"; status: number; body: unknown }
  | { kind: "in_flight" }
  | { kind: "mismatch" };

export function requestHash(method: string, path: string, body: string): string {
  return createHash("sha256").update(`${method} ${path}\n`).update(body).digest("hex");
}

/**
 * Claims `key` for this organisation. Runs in its own short transaction so concurrent
 * requests with the same key see the claim at once: one proceeds, the others get the stored
 * response, 409 (still in flight) or 422 (another body).
 */
export async function claimIdempotencyKey(
  db: Db,
  input: { orgId: string; key: string; hash: string },
): Promise<Claim> {
  const [inserted] = await db
    .insert(idempotencyKeys)
    .values({ orgId: input.orgId, key: input.key, requestHash: input.hash, state: "in_flight" })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted) return { kind: "claimed" };
  const [taken] = await db
    .update(idempotencyKeys)
    .set({ createdAt: sql`now()` })
    .where(
      and(
        eq(idempotencyKeys.orgId, input.orgId),
        eq(idempotencyKeys.key, input.key),
        eq(idempotencyKeys.requestHash, input.hash),
        eq(idempotencyKeys.state, "in_flight"),
        lt(idempotencyKeys.createdAt, sql`now() - make_interval(secs => ${STALE_MS / 1000})`),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  if (taken) return { kind: "claimed" };
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.orgId, input.orgId), eq(idempotencyKeys.key, input.key)));
  if (!row) return claimIdempotencyKey(db, input);
  if (row.requestHash !== input.hash) return { kind: "mismatch" };
  if (row.state === "in_flight") return { kind: "in_flight" };
  return {
    kind: "replay",
    status: row.responseStatus ?? COMMITTED_STATUS,
    body: row.responseBody,
  };
}

/**
 * Runs inside the write's own transaction, as its last statement: the verb's result commits
 * with the write, so a retry after a crash between commit and response replays it instead of
 * running the verb again. The middleware overwrites it with the exact response afterwards.
 */
export async function recordCommittedResult(
  db: Db,
  claim: IdempotencyClaim,
  result: unknown,
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({
      state: "committed",
      responseStatus: null,
      responseBody: JSON.parse(JSON.stringify(result ?? null)),
      completedAt: sql`now()`,
    })
    .where(
      and(
        eq(idempotencyKeys.orgId, claim.orgId),
        eq(idempotencyKeys.key, claim.key),
        inArray(idempotencyKeys.state, ["in_flight", "committed"]),
      ),
    );
}

/**
 * Stores the answer for replays; a failure the client may retry (5xx) releases the key,
 * unless the write already committed: then the committed result stays the answer.
 */
export async function settleIdempotencyKey(
  db: Db,
  input: { orgId: string; key: string; status: number; body: unknown },
): Promise<void> {
  const key = and(eq(idempotencyKeys.orgId, input.orgId), eq(idempotencyKeys.key, input.key));
  if (input.status >= 500) {
    await db.delete(idempotencyKeys).where(and(key, eq(idempotencyKeys.state, "in_flight")));
    return;
  }
  // An error answer never replaces a committed write's result.
  const where = and(
    key,
    input.status < 400
      ? inArray(idempotencyKeys.state, ["in_flight", "committed"])
      : eq(idempotencyKeys.state, "in_flight"),
  );
  await db
    .update(idempotencyKeys)
    .set({
      state: "done",
      responseStatus: input.status,
      responseBody: input.body,
      completedAt: sql`now()`,
    })
    .where(where);
}
