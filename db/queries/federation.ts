import { and, asc, count, eq, gt, inArray, isNull, lt, min, or, sql } from "drizzle-orm";
import { type Db, sqlOf } from "../client";
import {
  type FederationOutboxRow,
  type FederationPartner,
  type FederationSigningKey,
  type FederationSyncRow,
  federationOutbox,
  federationPartners,
  federationSigningKeys,
  federationSync,
  type PartnerStatus,
  type RecordType,
} from "../schema/federation";

/**
 * The one way into the federation tables: signing keys, partners, the outbox, the inbox and
 * each partner's sync state are written here and nowhere else.
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

export function selectActivePartners(db: Db): Promise<FederationPartner[]> {
  return db
    .select()
    .from(federationPartners)
    .where(eq(federationPartners.status, "active"))
    .orderBy(asc(federationPartners.code));
}

export type NewOutboxRow = Pick<
  FederationOutboxRow,
  "id" | "partner" | "waybillNumber" | "type" | "homeNode" | "origin" | "record" | "createdAt"
>;

const OUTBOX_COLUMNS = [
  ["id", "text"],
  ["partner", "text"],
  ["waybill_number", "text"],
  ["type", "text"],
  ["home_node", "text"],
  ["origin", "text"],
  ["record", "jsonb"],
  ["created_at", "timestamptz"],
] as const;
// Parallel text arrays, inserted in the order given: `seq` follows it, so per-waybill order.
const INSERT_OUTBOX = `
  insert into federation_outbox (${OUTBOX_COLUMNS.map(([c]) => c).join(", ")}, status)
  select ${OUTBOX_COLUMNS.map(([c, type]) => `o.${c}::${type}`).join(", ")}, 'pending'
  from unnest(${OUTBOX_COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(", ")})
    with ordinality as o(${OUTBOX_COLUMNS.map(([c]) => c).join(", ")}, ord)
  order by o.ord`;

/** Adds outbox rows, all pending, in the caller's transaction (one statement, any number). */
export async function insertOutboxRows(db: Db, rows: readonly NewOutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params = [
    rows.map((r) => r.id),
    rows.map((r) => r.partner),
    rows.map((r) => r.waybillNumber),
    rows.map((r) => r.type),
    rows.map((r) => r.homeNode),
    rows.map((r) => r.origin),
    rows.map((r) => JSON.stringify(r.record)),
    rows.map((r) => r.createdAt.toISOString()),
  ];
  await sqlOf(db).unsafe(INSERT_OUTBOX, params, { prepare: true });
}

export function selectOutboxRow(db: Db, id: string): Promise<FederationOutboxRow | undefined> {
  return db
    .select()
    .from(federationOutbox)
    .where(eq(federationOutbox.id, id))
    .then(([row]) => row);
}

/** The oldest pending rows for a partner, in the order written (so per-waybill order). */
export function selectPendingOutbox(
  db: Db,
  partner: string,
  limit: number,
): Promise<FederationOutboxRow[]> {
  return db
    .select()
    .from(federationOutbox)
    .where(and(eq(federationOutbox.partner, partner), eq(federationOutbox.status, "pending")))
    .orderBy(asc(federationOutbox.seq))
    .limit(limit);
}

/** Records an attempt on pending rows: delivered, dead (final), or still pending with why. */
export async function recordOutboxAttempt(
  db: Db,
  ids: readonly string[],
  outcome: { status: "pending" | "delivered" | "dead"; error: string | null; at: Date },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(federationOutbox)
    .set({
      status: outcome.status,
      attempts: sql`${federationOutbox.attempts} + 1`,
      lastError: outcome.error,
      deliveredAt: outcome.status === "delivered" ? outcome.at : null,
    })
    .where(and(inArray(federationOutbox.id, [...ids]), eq(federationOutbox.status, "pending")));
}

/** Dead rows for a partner back to pending (all, or those listed); returns their ids. */
export async function revivePartnerDeadLetters(
  db: Db,
  partner: string,
  ids?: readonly string[],
): Promise<string[]> {
  const rows = await db
    .update(federationOutbox)
    .set({ status: "pending", lastError: null })
    .where(
      and(
        eq(federationOutbox.partner, partner),
        eq(federationOutbox.status, "dead"),
        ids ? inArray(federationOutbox.id, [...ids]) : undefined,
      ),
    )
    .returning({ id: federationOutbox.id });
  return rows.map((r) => r.id).sort();
}

export function selectDeadLetters(
  db: Db,
  partner: string,
  limit: number,
): Promise<FederationOutboxRow[]> {
  return db
    .select()
    .from(federationOutbox)
    .where(and(eq(federationOutbox.partner, partner), eq(federationOutbox.status, "dead")))
    .orderBy(asc(federationOutbox.id))
    .limit(limit);
}

/** Pending rows written more than `olderThanMs` ago: their after-commit enqueue was lost. */
export async function stalePendingOutbox(
  db: Db,
  params: { olderThanMs: number; limit: number },
): Promise<{ id: string; partner: string }[]> {
  return db
    .select({ id: federationOutbox.id, partner: federationOutbox.partner })
    .from(federationOutbox)
    .where(
      and(
        eq(federationOutbox.status, "pending"),
        lt(
          federationOutbox.createdAt,
          sql`now() - make_interval(secs => ${params.olderThanMs / 1000})`,
        ),
      ),
    )
    .orderBy(asc(federationOutbox.id))
    .limit(params.limit);
}

/** Per status, how many rows a partner has, and when its oldest pending row was written. */
export async function outboxFigures(
  db: Db,
  partner: string,
): Promise<{ pending: number; dead: number; oldestPendingAt: Date | null }> {
  const rows = await db
    .select({
      status: federationOutbox.status,
      n: count(),
      oldest: min(federationOutbox.createdAt),
    })
    .from(federationOutbox)
    .where(
      and(
        eq(federationOutbox.partner, partner),
        inArray(federationOutbox.status, ["pending", "dead"]),
      ),
    )
    .groupBy(federationOutbox.status);
  const pending = rows.find((r) => r.status === "pending");
  return {
    pending: pending?.n ?? 0,
    dead: rows.find((r) => r.status === "dead")?.n ?? 0,
    oldestPendingAt: pending?.oldest ?? null,
  };
}

const INSERT_INBOX = `
  insert into federation_inbox (message_id, sender, waybill_number, type, received_at)
  select m.message_id, $4, m.waybill_number, m.type, $5::timestamptz
  from unnest($1::text[], $2::text[], $3::text[]) as m(message_id, waybill_number, type)
  on conflict do nothing
  returning message_id`;

/**
 * Marks messages from `sender` applied, in one statement; returns the ids marked now (the
 * others were applied before: duplicate deliveries).
 */
export async function insertInboxMessages(
  db: Db,
  sender: string,
  messages: readonly { messageId: string; waybillNumber: string; type: RecordType }[],
  at: Date,
): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const rows = await sqlOf(db).unsafe(
    INSERT_INBOX,
    [
      messages.map((m) => m.messageId),
      messages.map((m) => m.waybillNumber),
      messages.map((m) => m.type),
      sender,
      at.toISOString(),
    ],
    { prepare: true },
  );
  return new Set(rows.map((r) => String(r.message_id)));
}

export type SyncChange = Partial<Omit<FederationSyncRow, "partner" | "failures">> & {
  /** Adds one to the failure count; false resets it (a success). */
  failed?: boolean;
};

/** Creates or changes a partner's sync state. */
export async function saveSyncState(db: Db, partner: string, change: SyncChange): Promise<void> {
  const { failed, ...fields } = change;
  const failures =
    failed === undefined ? undefined : failed ? sql`${federationSync.failures} + 1` : sql`0`;
  await db
    .insert(federationSync)
    .values({ partner, ...fields, failures: failed ? 1 : 0 })
    .onConflictDoUpdate({
      target: federationSync.partner,
      set: { ...fields, ...(failures ? { failures } : {}) },
    });
}

export function selectSyncState(db: Db, partner: string): Promise<FederationSyncRow | undefined> {
  return db
    .select()
    .from(federationSync)
    .where(eq(federationSync.partner, partner))
    .then(([row]) => row);
}

/**
 * Takes the partner's delivery lock for the caller's transaction, if free: one batch at a
 * time per partner across every process, so its messages leave in order.
 */
export async function tryLockPartnerDelivery(db: Db, partner: string): Promise<boolean> {
  const [row] = await db.execute<{ locked: boolean }>(
    sql`select pg_try_advisory_xact_lock(${SIGNING_KEYS_LOCK}, hashtext(${partner})) as locked`,
  );
  return row?.locked === true;
}

/** PostgreSQL's SQLSTATE of an error, whether or not drizzle wrapped it. */
function pgCode(err: unknown): string | undefined {
  for (let e: unknown = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ("code" in e && typeof e.code === "string") return e.code;
  }
  return undefined;
}

/**
 * Waits up to `timeoutMs` for the partner's delivery lock (held to the end of the
 * transaction); false when another process still holds it then.
 */
export async function waitLockPartnerDelivery(
  db: Db,
  partner: string,
  timeoutMs: number,
): Promise<boolean> {
  try {
    // The setting comes first because the lock's query reads from it (a volatile CTE is run
    // once, before the query that uses it); `true` keeps it to this transaction.
    await db.execute(sql`
      with wait as (select set_config('lock_timeout', ${`${timeoutMs}ms`}, true))
      select pg_advisory_xact_lock(${SIGNING_KEYS_LOCK}, hashtext(${partner})) from wait`);
    return true;
  } catch (err) {
    if (pgCode(err) === "55P03") return false;
    throw err;
  }
}

export interface PartnerSyncFigures {
  partner: string;
  sync: FederationSyncRow | null;
  pending: number;
  dead: number;
  oldestPendingAt: Date | null;
}

/** Every partner's sync state and outbox figures in one grouped query (for metrics). */
export async function selectAllSyncFigures(db: Db): Promise<PartnerSyncFigures[]> {
  const pending = eq(federationOutbox.status, "pending");
  const o = db
    .select({
      partner: federationOutbox.partner,
      pending: sql<number>`(count(*) filter (where ${pending}))::int`.as("pending"),
      dead: sql<number>`(count(*) filter (where ${federationOutbox.status} = 'dead'))::int`.as(
        "dead",
      ),
      // Epoch milliseconds: a plain number crosses the subquery without a date parser.
      oldestMs: sql<
        number | null
      >`(extract(epoch from min(${federationOutbox.createdAt}) filter (where ${pending})) * 1000)::float8`.as(
        "oldest_ms",
      ),
    })
    .from(federationOutbox)
    .where(inArray(federationOutbox.status, ["pending", "dead"]))
    .groupBy(federationOutbox.partner)
    .as("o");
  const rows = await db
    .select({
      partner: federationPartners.code,
      sync: federationSync,
      pending: o.pending,
      dead: o.dead,
      oldestMs: o.oldestMs,
    })
    .from(federationPartners)
    .leftJoin(federationSync, eq(federationSync.partner, federationPartners.code))
    .leftJoin(o, eq(o.partner, federationPartners.code))
    .orderBy(asc(federationPartners.code));
  return rows.map((r) => ({
    partner: r.partner,
    sync: r.sync,
    pending: r.pending ?? 0,
    dead: r.dead ?? 0,
    oldestPendingAt: r.oldestMs === null ? null : new Date(Number(r.oldestMs)),
  }));
}

/**
 * A partner's outbox after `afterSeq`, in the order written, of these record types; dead rows
 * (refused by the partner for good) are left out. What the catch-up feed serves.
 */
export function selectOutboxFeed(
  db: Db,
  partner: string,
  params: { afterSeq: number; limit: number; types: readonly RecordType[] },
): Promise<FederationOutboxRow[]> {
  return db
    .select()
    .from(federationOutbox)
    .where(
      and(
        eq(federationOutbox.partner, partner),
        gt(federationOutbox.seq, params.afterSeq),
        inArray(federationOutbox.status, ["pending", "delivered"]),
        inArray(federationOutbox.type, [...params.types]),
      ),
    )
    .orderBy(asc(federationOutbox.seq))
    .limit(params.limit);
}
