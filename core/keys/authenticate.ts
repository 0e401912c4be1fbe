import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { apiKeys, organizations } from "../../db/schema";
import type { Actor } from "../context";
import { hashApiKey } from "./secret";

/** Resolves a presented key to its actor, or null when unknown or revoked. */
export async function authenticateApiKey(db: Db, key: string): Promise<Actor | null> {
  // Runs on every request: a named statement is parsed once per connection, not each time.
  const [row] = await db
    .select({
      keyId: apiKeys.id,
      role: apiKeys.role,
      orgId: organizations.id,
      orgStatus: organizations.status,
    })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
    .where(and(eq(apiKeys.hash, hashApiKey(key)), isNull(apiKeys.revokedAt)))
    .limit(1)
    .prepare("authenticate_api_key")
    .execute();
  if (!row) return null;
  return { kind: row.role, orgId: row.orgId, orgStatus: row.orgStatus, keyId: row.keyId };
}
