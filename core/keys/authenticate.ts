import type { Db } from "../../db/client";
import { liveKeyByHash, notifyKeysChanged, touchKeyUse } from "../../db/queries/keys";
import type { Actor, Ctx } from "../context";
import { hashApiKey } from "./secret";

/**
 * Resolved keys are kept for a moment, so most requests skip the lookup. Anything that
 * changes what a key may do (revocation, rotation, an organisation's status) calls
 * `forgetOrganizationKeys`, which also bumps a generation counter: a lookup that started
 * before the change is never cached, so revocation takes effect at once in this process.
 */
const CACHE_TTL_MS = 2_000;
const CACHE_MAX = 50_000;
const cache = new Map<string, { actor: Actor; db: Db; until: number }>();
let generation = 0;

/** `lastUsedAt` is kept to the minute: finer would cost a write per request. */
const TOUCH_EVERY_MS = 60_000;
const touched = new Map<string, number>();

/**
 * Records that a key was used, at most once a minute per key and process, without making the
 * request wait: the update runs beside it, and its condition keeps other processes from
 * writing the same minute again. A failure only leaves `lastUsedAt` a little old.
 */
function touchKey(db: Db, keyId: string, now: number): void {
  const last = touched.get(keyId);
  if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
  if (touched.size >= CACHE_MAX) touched.clear();
  touched.set(keyId, now);
  touchKeyUse(db, { id: keyId, everyMs: TOUCH_EVERY_MS }).then(
    () => {},
    () => touched.delete(keyId),
  );
}

/** Forgets every key: whatever was announced while this process could not hear is lost. */
export function forgetAllKeys(): void {
  generation += 1;
  cache.clear();
}

/** Forgets an organisation's keys in this process (also when another process announced it). */
export function forgetOrganizationKeys(orgId: string): void {
  generation += 1;
  for (const [hash, entry] of cache) {
    if ("orgId" in entry.actor && entry.actor.orgId === orgId) cache.delete(hash);
  }
}

/** Forgets now and again once the surrounding transaction has committed. */
export function forgetOrganizationKeysOnCommit(ctx: Ctx, orgId: string): void {
  forgetOrganizationKeys(orgId);
  ctx.tx?.afterCommit.push(() => forgetOrganizationKeys(orgId));
}

/**
 * Has every other process on the database forget an organisation's keys, once the change is
 * committed: call it after the change, in its transaction if it has one.
 */
export function announceOrganizationKeys(ctx: Ctx, orgId: string): Promise<void> {
  return notifyKeysChanged(ctx.db, orgId);
}

/** Resolves a presented key to its actor, or null when unknown or revoked. */
export async function authenticateApiKey(db: Db, key: string): Promise<Actor | null> {
  const hash = hashApiKey(key);
  const now = Date.now();
  const hit = cache.get(hash);
  if (hit && hit.db === db && hit.until > now) {
    if ("keyId" in hit.actor) touchKey(db, hit.actor.keyId, now);
    return hit.actor;
  }
  const seen = generation;
  const row = await liveKeyByHash(db, hash);
  if (!row) return null;
  const actor: Actor = {
    kind: row.role,
    orgId: row.orgId,
    orgStatus: row.orgStatus,
    keyId: row.keyId,
  };
  touchKey(db, row.keyId, now);
  if (seen === generation) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, { actor, db, until: now + CACHE_TTL_MS });
  }
  return actor;
}
