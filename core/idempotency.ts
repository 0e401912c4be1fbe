import { createHash } from "node:crypto";
import type { Db } from "../db/client";
import {
  completeIdempotencyKey,
  deleteIdempotencyKeysOlderThan,
  findIdempotencyKey,
  insertIdempotencyClaim,
  releaseIdempotencyClaim,
  retakeIdempotencyClaim,
} from "../db/queries/idempotency";
import { isApiKey } from "./keys/secret";
import { isWebhookSecret } from "./webhooks/signature";

/** A claim older than this is presumed abandoned (its process died) and may be taken over. */
const STALE_MS = 60_000;

/**
 * How long a key is remembered. After that the same key is a new request, and the
 * housekeeping sweep deletes the row.
 */
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;

const isSecret = (v: unknown): v is string =>
  typeof v === "string" && (isApiKey(v) || isWebhookSecret(v));

/**
 * A response as kept for replays: every issued secret (an API key, a webhook signing secret)
 * is dropped and its path listed in `omittedSecrets`, so the table never holds one and a
 * replay, which any key of the organisation may trigger, cannot reveal it.
 */
function withoutSecrets(body: unknown): unknown {
  const omitted: string[] = [];
  const walk = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        if (!isSecret(item)) return walk(item, `${path}${i}.`);
        omitted.push(`${path}${i}`);
        return null;
      });
    }
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(value)) {
      if (isSecret(item)) omitted.push(`${path}${k}`);
      else out[k] = walk(item, `${path}${k}.`);
    }
    return out;
  };
  if (isSecret(body)) return null;
  const kept = walk(body, "");
  if (omitted.length === 0) return body;
  return kept !== null && typeof kept === "object" && !Array.isArray(kept)
    ? { ...kept, omittedSecrets: omitted }
    : kept;
}

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
 * response, 409 (still in flight) or 422 (another body). An expired key is claimed afresh,
 * whatever it held.
 */
export async function claimIdempotencyKey(
  db: Db,
  input: { orgId: string; key: string; hash: string },
): Promise<Claim> {
  if (await insertIdempotencyClaim(db, input)) return { kind: "claimed" };
  const retaken = await retakeIdempotencyClaim(db, {
    ...input,
    expiredMs: IDEMPOTENCY_TTL_MS,
    staleMs: STALE_MS,
  });
  if (retaken) return { kind: "claimed" };
  const row = await findIdempotencyKey(db, input);
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
  await completeIdempotencyKey(db, {
    ...claim,
    state: "committed",
    from: ["in_flight", "committed"],
    responseStatus: null,
    responseBody: committedResultBody(result),
  });
}

/** What `recordCommittedResult` stores for a verb's result, for writes that store it themselves. */
export function committedResultBody(result: unknown): unknown {
  return withoutSecrets(JSON.parse(JSON.stringify(result ?? null)));
}

/**
 * Stores the answer for replays; a failure the client may retry (5xx) releases the key,
 * unless the write already committed: then the committed result stays the answer.
 */
export async function settleIdempotencyKey(
  db: Db,
  input: { orgId: string; key: string; status: number; body: unknown },
): Promise<void> {
  const ref = { orgId: input.orgId, key: input.key };
  if (input.status >= 500) {
    await releaseIdempotencyClaim(db, ref);
    return;
  }
  // An error answer never replaces a committed write's result.
  await completeIdempotencyKey(db, {
    ...ref,
    state: "done",
    from: input.status < 400 ? ["in_flight", "committed"] : ["in_flight"],
    responseStatus: input.status,
    responseBody: withoutSecrets(input.body),
  });
}

/** Deletes keys past their 24 hours; the housekeeping sweep calls it. Returns how many. */
export async function purgeExpiredIdempotencyKeys(db: Db): Promise<number> {
  return deleteIdempotencyKeysOlderThan(db, IDEMPOTENCY_TTL_MS);
}
