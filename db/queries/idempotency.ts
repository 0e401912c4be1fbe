import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type IDEMPOTENCY_STATES, type IdempotencyKey, idempotencyKeys } from "../schema";

type IdempotencyState = (typeof IDEMPOTENCY_STATES)[number];

/** An organisation's key. */
export interface KeyRef {
  orgId: string;
  key: string;
}

const olderThan = (ms: number) =>
  lt(idempotencyKeys.createdAt, sql`now() - make_interval(secs => ${ms / 1000})`);

const keyIs = (ref: KeyRef) =>
  and(eq(idempotencyKeys.orgId, ref.orgId), eq(idempotencyKeys.key, ref.key));

/** Claims a key no one holds; false when a row for it exists already. */
export async function insertIdempotencyClaim(
  db: Db,
  params: KeyRef & { hash: string },
): Promise<boolean> {
  const [row] = await db
    .insert(idempotencyKeys)
    .values({ orgId: params.orgId, key: params.key, requestHash: params.hash, state: "in_flight" })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return row !== undefined;
}

/**
 * Takes over a held key afresh when it expired (`expiredMs`), or when the same request's
 * claim is still in flight after `staleMs` (its process died). False when neither holds.
 */
export async function retakeIdempotencyClaim(
  db: Db,
  params: KeyRef & { hash: string; expiredMs: number; staleMs: number },
): Promise<boolean> {
  const [row] = await db
    .update(idempotencyKeys)
    .set({
      requestHash: params.hash,
      state: "in_flight",
      responseStatus: null,
      responseBody: null,
      createdAt: sql`now()`,
      completedAt: null,
    })
    .where(
      and(
        keyIs(params),
        or(
          olderThan(params.expiredMs),
          and(
            eq(idempotencyKeys.requestHash, params.hash),
            eq(idempotencyKeys.state, "in_flight"),
            olderThan(params.staleMs),
          ),
        ),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  return row !== undefined;
}

export async function findIdempotencyKey(db: Db, ref: KeyRef): Promise<IdempotencyKey | undefined> {
  const [row] = await db.select().from(idempotencyKeys).where(keyIs(ref));
  return row;
}

/** Stores a key's answer and moves it to `state`, only from one of the states in `from`. */
export async function completeIdempotencyKey(
  db: Db,
  params: KeyRef & {
    state: IdempotencyState;
    from: IdempotencyState[];
    responseStatus: number | null;
    responseBody: unknown;
  },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({
      state: params.state,
      responseStatus: params.responseStatus,
      responseBody: params.responseBody,
      completedAt: sql`now()`,
    })
    .where(and(keyIs(params), inArray(idempotencyKeys.state, params.from)));
}

/** Releases a claim still in flight, so the client may retry with the same key. */
export async function releaseIdempotencyClaim(db: Db, ref: KeyRef): Promise<void> {
  await db.delete(idempotencyKeys).where(and(keyIs(ref), eq(idempotencyKeys.state, "in_flight")));
}

/** Deletes keys claimed more than `ms` ago; returns how many. */
export async function deleteIdempotencyKeysOlderThan(db: Db, ms: number): Promise<number> {
  const gone = await db
    .delete(idempotencyKeys)
    .where(olderThan(ms))
    .returning({ key: idempotencyKeys.key });
  return gone.length;
}

/**
 * The text of `completeIdempotencyKey` moving a key to `committed` (from `in_flight` or
 * `committed`), for a statement that stores the result together with its write (a CTE). Each
 * field is an SQL expression; `when` is a condition, such as that the write happened.
 */
export function committedResultSql(e: {
  orgId: string;
  key: string;
  /** JSON text. */
  body: string;
  when: string;
}): string {
  return `update idempotency_keys
  set state = 'committed', response_status = null, response_body = (${e.body})::jsonb,
    completed_at = now()
  where org_id = (${e.orgId})::text and key = (${e.key})::text
    and state in ('in_flight', 'committed') and (${e.when})`;
}
