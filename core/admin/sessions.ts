import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { type Db, transaction } from "../../db/client";
import { insertAdminSession } from "../../db/queries/admin-sessions";
import { adminSessions, apiKeys } from "../../db/schema";
import type { Clock } from "../context";

/** A working day: long enough not to nag, short enough that a forgotten browser times out. */
export const ADMIN_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

const hashOf = (id: string) => createHash("sha256").update(id).digest("hex");

/**
 * Opens a dashboard session for an admin key and returns its id, which only the browser
 * keeps: the database holds its hash, so a copy of the table opens no session.
 */
export async function openAdminSession(
  db: Db,
  clock: Clock,
  input: { keyId: string },
): Promise<{ id: string; expiresAt: Date }> {
  const now = clock.now();
  const id = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + ADMIN_SESSION_TTL_MS);
  await transaction(db, (tx) =>
    insertAdminSession(tx, { hash: hashOf(id), keyId: input.keyId, expiresAt, now }),
  );
  return { id, expiresAt };
}

/** The admin key behind a live session, or null if it expired or its key was revoked. */
export async function resolveAdminSession(
  db: Db,
  clock: Clock,
  id: string,
): Promise<{ keyId: string; orgId: string } | null> {
  const [row] = await db
    .select({ keyId: apiKeys.id, orgId: apiKeys.orgId })
    .from(adminSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, adminSessions.keyId))
    .where(
      and(
        eq(adminSessions.hash, hashOf(id)),
        gt(adminSessions.expiresAt, clock.now()),
        isNull(apiKeys.revokedAt),
        eq(apiKeys.role, "admin"),
      ),
    )
    .limit(1);
  return row ?? null;
}
