import { and, eq, isNull, sql } from "drizzle-orm";
import postgres from "postgres";
import { type Db, sqlOf } from "../client";
import { type ApiKey, apiKeys, type OrgKind, type OrgStatus } from "../schema";

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

// Fixed text, prepared once per connection: the lookup runs for every key not in the cache.
const KEY_BY_HASH = `select k.id as key_id, k.role, o.id as org_id, o.status as org_status
  from api_keys k join organizations o on o.id = k.org_id
  where k.hash = $1 and k.revoked_at is null limit 1`;

/** The live key with this hash and its organisation's standing; undefined when none. */
export async function liveKeyByHash(
  db: Db,
  hash: string,
): Promise<{ keyId: string; role: OrgKind; orgId: string; orgStatus: OrgStatus } | undefined> {
  const [row] = await sqlOf(db).unsafe(KEY_BY_HASH, [hash], { prepare: true });
  if (!row) return undefined;
  return {
    keyId: String(row.key_id),
    role: row.role as OrgKind,
    orgId: String(row.org_id),
    orgStatus: row.org_status as OrgStatus,
  };
}

const TOUCH = `update api_keys set last_used_at = now()
  where id = $1 and (last_used_at is null or last_used_at < now() - make_interval(secs => $2))`;

/**
 * Marks a key used now, unless it was marked within `everyMs`: other processes touching the
 * same key in the same interval write nothing.
 */
export async function touchKeyUse(db: Db, params: { id: string; everyMs: number }): Promise<void> {
  await sqlOf(db).unsafe(TOUCH, [params.id, params.everyMs / 1000], { prepare: true });
}

/** The channel every process of a node hears organisations whose keys' standing changed on. */
const KEYS_CHANGED = "caravan_keys_changed";

/**
 * Tells every process on the database that `orgId`'s keys changed (revoked, rotated, its
 * status). Inside a transaction PostgreSQL delivers it on commit, and not at all on rollback.
 */
export async function notifyKeysChanged(db: Db, orgId: string): Promise<void> {
  await sqlOf(db)`select pg_notify(${KEYS_CHANGED}, ${orgId})`;
}

/**
 * Calls `on.change` with each organisation any process on the database announced (this one
 * too), on a connection of its own; `on.listening` runs whenever that connection (re)starts
 * listening, since whatever was announced while it was down is lost.
 */
export async function listenKeyChanges(
  url: string,
  on: { change(orgId: string): void; listening(): void },
): Promise<{ stop(): Promise<void> }> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client.listen(KEYS_CHANGED, on.change, on.listening);
  } catch (err) {
    await client.end({ timeout: 0 });
    throw err;
  }
  return { stop: () => client.end({ timeout: 1 }) };
}
