import { and, asc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import {
  type FederationPartner,
  type FederationSigningKey,
  federationPartners,
  federationSigningKeys,
  type PartnerStatus,
} from "../schema/federation";

/**
 * The one way into the federation tables: signing keys and partners are written here and
 * nowhere else.
 */

/** Advisory lock serialising key rotations ("CFED" in ASCII). */
const SIGNING_KEYS_LOCK = 0x43464544;

/** Held to the end of the caller's transaction: rotations run one at a time. */
export async function lockSigningKeys(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${SIGNING_KEYS_LOCK})`);
}

/** Adds a key; false when one with its `kid` is already kept. */
export async function insertSigningKey(
  db: Db,
  row: Pick<FederationSigningKey, "kid" | "publicJwk" | "sealedPrivateKey" | "createdAt">,
): Promise<boolean> {
  const inserted = await db
    .insert(federationSigningKeys)
    .values({ ...row, retiresAt: null })
    .onConflictDoNothing()
    .returning({ kid: federationSigningKeys.kid });
  return inserted.length > 0;
}

/** Sets `retiresAt` on every key still current (none set); returns those keys. */
export function retireCurrentSigningKeys(
  db: Db,
  retiresAt: Date,
): Promise<Pick<FederationSigningKey, "kid" | "retiresAt">[]> {
  return db
    .update(federationSigningKeys)
    .set({ retiresAt })
    .where(isNull(federationSigningKeys.retiresAt))
    .returning({ kid: federationSigningKeys.kid, retiresAt: federationSigningKeys.retiresAt });
}

/** Retires these keys at `at` (now): a key never gets a later `retiresAt` this way. */
export async function retireSigningKeysAt(db: Db, kids: string[], at: Date): Promise<void> {
  if (kids.length === 0) return;
  await db
    .update(federationSigningKeys)
    .set({ retiresAt: at })
    .where(and(inArray(federationSigningKeys.kid, kids), gt(federationSigningKeys.retiresAt, at)));
}

/** Keys not retired at `now`: the current one first, then the later-retiring first. */
export function selectLiveSigningKeys(db: Db, now: Date): Promise<FederationSigningKey[]> {
  return db
    .select()
    .from(federationSigningKeys)
    .where(or(isNull(federationSigningKeys.retiresAt), gt(federationSigningKeys.retiresAt, now)))
    .orderBy(
      sql`${federationSigningKeys.retiresAt} desc nulls first`,
      sql`${federationSigningKeys.createdAt} desc`,
      asc(federationSigningKeys.kid),
    );
}

/** Every key the node ever signed with, retired ones too: old signatures stay verifiable. */
export function selectAllSigningKeys(
  db: Db,
): Promise<Pick<FederationSigningKey, "kid" | "publicJwk">[]> {
  return db
    .select({ kid: federationSigningKeys.kid, publicJwk: federationSigningKeys.publicJwk })
    .from(federationSigningKeys);
}

export async function countSigningKeys(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(federationSigningKeys);
  return row?.n ?? 0;
}

/** Adds a partner; undefined when its code is taken. */
export async function insertPartner(
  db: Db,
  row: Omit<FederationPartner, "status" | "suspendedAt" | "version">,
): Promise<FederationPartner | undefined> {
  const [inserted] = await db
    .insert(federationPartners)
    .values({ ...row, status: "active", suspendedAt: null, version: 1 })
    .onConflictDoNothing()
    .returning();
  return inserted;
}

export type PartnerChanges = Partial<
  Pick<FederationPartner, "name" | "baseUrl" | "jwks" | "agreement">
>;

/** Changes what an admin may change; undefined when there is no such partner. */
export async function updatePartner(
  db: Db,
  code: string,
  changes: PartnerChanges,
  now: Date,
): Promise<FederationPartner | undefined> {
  const [row] = await db
    .update(federationPartners)
    .set({ ...changes, updatedAt: now, version: sql`${federationPartners.version} + 1` })
    .where(eq(federationPartners.code, code))
    .returning();
  return row;
}

/**
 * Moves a partner to `to` if it is in one of `from`; undefined when it is not (or absent),
 * so two admins deciding at once cannot both win.
 */
export async function setPartnerStatus(
  db: Db,
  code: string,
  change: { from: PartnerStatus[]; to: PartnerStatus },
  now: Date,
): Promise<FederationPartner | undefined> {
  const [row] = await db
    .update(federationPartners)
    .set({
      status: change.to,
      suspendedAt: change.to === "suspended" ? now : null,
      updatedAt: now,
      version: sql`${federationPartners.version} + 1`,
    })
    .where(and(eq(federationPartners.code, code), inArray(federationPartners.status, change.from)))
    .returning();
  return row;
}

/** One partner; `forUpdate` locks its row to the end of the caller's transaction. */
export async function selectPartner(
  db: Db,
  code: string,
  opts: { forUpdate?: boolean } = {},
): Promise<FederationPartner | undefined> {
  const query = db.select().from(federationPartners).where(eq(federationPartners.code, code));
  const [row] = opts.forUpdate ? await query.for("update") : await query;
  return row;
}

export function selectPartners(db: Db): Promise<FederationPartner[]> {
  return db.select().from(federationPartners).orderBy(asc(federationPartners.code));
}
