import { eq, lt } from "drizzle-orm";
import type { Db } from "../client";
import { adminSessions } from "../schema";

/** Opens a session (by the hash of its id), clearing expired ones: the one way into the table. */
export async function insertAdminSession(
  db: Db,
  params: { hash: string; keyId: string; expiresAt: Date; now: Date },
): Promise<void> {
  await db.delete(adminSessions).where(lt(adminSessions.expiresAt, params.now));
  await db
    .insert(adminSessions)
    .values({ hash: params.hash, keyId: params.keyId, expiresAt: params.expiresAt });
}

/** Ends a session (by the hash of its id). */
export async function deleteAdminSession(db: Db, hash: string): Promise<void> {
  await db.delete(adminSessions).where(eq(adminSessions.hash, hash));
}
