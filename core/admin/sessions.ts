import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import { type Db, transaction } from "../../db/client";
import { deleteAdminSession, insertAdminSession } from "../../db/queries/admin-sessions";
import { adminSessions, apiKeys, organizations } from "../../db/schema";
import type { Actor, Clock } from "../context";

/** A working day: long enough not to nag, short enough that a forgotten browser times out. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

const hashOf = (id: string) => createHash("sha256").update(id).digest("hex");

/**
 * Opens a dashboard session for a key (admin or regulator; the caller checks the role) and
 * returns its id, which only the browser keeps: the database holds its hash, so a copy of
 * the table opens no session.
 */
export async function openKeySession(
  db: Db,
  clock: Clock,
  input: { keyId: string },
): Promise<{ id: string; expiresAt: Date }> {
  const now = clock.now();
  const id = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
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

type SessionRole = "admin" | "regulator";

/**
 * The actor behind a live session whose key has one of `roles`, or null if it expired, its
 * key was revoked or the key may not use this dashboard.
 */
export async function resolveSessionActor(
  db: Db,
  clock: Clock,
  id: string,
  roles: readonly SessionRole[],
): Promise<Actor | null> {
  const [row] = await db
    .select({
      keyId: apiKeys.id,
      role: apiKeys.role,
      orgId: organizations.id,
      orgStatus: organizations.status,
    })
    .from(adminSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, adminSessions.keyId))
    .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
    .where(
      and(
        eq(adminSessions.hash, hashOf(id)),
        gt(adminSessions.expiresAt, clock.now()),
        isNull(apiKeys.revokedAt),
        inArray(apiKeys.role, [...roles]),
      ),
    )
    .limit(1);
  return row
    ? { kind: row.role, orgId: row.orgId, orgStatus: row.orgStatus, keyId: row.keyId }
    : null;
}

/** Signs a browser out: its session id opens nothing afterwards. */
export async function closeSession(db: Db, id: string): Promise<void> {
  await deleteAdminSession(db, hashOf(id));
}
