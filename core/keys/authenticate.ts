import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { apiKeys, organizations } from "../../db/schema";
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

/** Resolves a presented key to its actor, or null when unknown or revoked. */
export async function authenticateApiKey(db: Db, key: string): Promise<Actor | null> {
  const hash = hashApiKey(key);
  const now = Date.now();
  const hit = cache.get(hash);
  if (hit && hit.db === db && hit.until > now) return hit.actor;
  const seen = generation;
  const [row] = await db
    .select({
      keyId: apiKeys.id,
      role: apiKeys.role,
      orgId: organizations.id,
      orgStatus: organizations.status,
    })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  const actor: Actor = {
    kind: row.role,
    orgId: row.orgId,
    orgStatus: row.orgStatus,
    keyId: row.keyId,
  };
  if (seen === generation) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, { actor, db, until: now + CACHE_TTL_MS });
  }
  return actor;
}
