import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type ApiKey, apiKeys } from "../schema";

/** Adds a key (only its hash is stored): the one way into `api_keys`. Returns when it was made. */
export async function insertApiKey(
  db: Db,
  values: Pick<ApiKey, "id" | "orgId" | "role" | "name" | "prefix" | "hash" | "createdAt">,
): Promise<Date> {
  const [row] = await db.insert(apiKeys).values(values).returning({ createdAt: apiKeys.createdAt });
  return row?.createdAt ?? values.createdAt;
}

/** A key as its organisation sees it. */
export interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  role: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const keyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  role: apiKeys.role,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

/** Revokes an organisation's live key at `at`; undefined when it is not its own or not live. */
export async function revokeKey(
  db: Db,
  params: { id: string; orgId: string; at: Date },
): Promise<KeyRow | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({
      revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${params.at.toISOString()}::timestamptz)`,
    })
    .where(
      and(eq(apiKeys.id, params.id), eq(apiKeys.orgId, params.orgId), isNull(apiKeys.revokedAt)),
    )
    .returning(keyColumns);
  return row;
}

/**
 * Marks a key used now, unless it was marked within `everyMs`: other processes touching the
 * same key in the same interval write nothing.
 */
export async function touchKeyUse(db: Db, params: { id: string; everyMs: number }): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, params.id),
        or(
          isNull(apiKeys.lastUsedAt),
          lt(apiKeys.lastUsedAt, sql`now() - make_interval(secs => ${params.everyMs / 1000})`),
        ),
      ),
    );
}
