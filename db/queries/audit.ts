import { desc, isNotNull, sql } from "drizzle-orm";
import { type Db, sqlOf } from "../client";
import { auditLog } from "../schema";

/** What an entry says, as the node wrote it: everything but its proof and place in the chain. */
export interface AuditContent {
  at: Date;
  actorOrgId: string | null;
  actorKind: string;
  action: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
  requestId: string | null;
}

/** An entry as a change writes it: content and the node's proof, not yet chained. */
export interface NewAuditEntry extends AuditContent {
  proof: string;
}

/** SQL expressions for each column of a new entry, as `auditInsertSql` composes them. */
export type AuditExpressions = Record<keyof NewAuditEntry, string>;

const AUDIT_COLUMNS: readonly [keyof NewAuditEntry, string, string][] = [
  ["at", "at", "timestamptz"],
  ["actorOrgId", "actor_org_id", "text"],
  ["actorKind", "actor_kind", "text"],
  ["action", "action", "text"],
  ["entityType", "entity_type", "text"],
  ["entityId", "entity_id", "text"],
  ["data", "data", "jsonb"],
  ["requestId", "request_id", "text"],
  ["proof", "proof", "text"],
];

/**
 * The one text of an audit insert: `insert into audit_log (…) select <expressions> from
 * <source>`, each expression cast to its column's type. Statements that must write their
 * entry in the same round trip (a CTE) compose it; everything else calls `insertAuditEntries`.
 */
function auditInsertSql(source: string, e: AuditExpressions): string {
  const names = AUDIT_COLUMNS.map(([, column]) => column).join(", ");
  const values = AUDIT_COLUMNS.map(([key, , type]) => `(${e[key]})::${type}`).join(", ");
  return `insert into audit_log (${names}) select ${values} from ${source}`;
}

const COLUMN_NAMES = AUDIT_COLUMNS.map(([, column]) => column).join(", ");
const FROM_SOURCE = Object.fromEntries(
  AUDIT_COLUMNS.map(([key, column]) => [key, `e.${column}`]),
) as AuditExpressions;

// Two fixed texts: one row from plain parameters (a change's usual single entry, which
// PostgreSQL inserts ~10–30% faster than from arrays), and any number of rows from parallel
// arrays (no bind-parameter limit, one plan).
const INSERT_ONE = auditInsertSql(
  `(select ${AUDIT_COLUMNS.map(([, column], i) => `$${i + 1}::text as ${column}`).join(", ")}) e`,
  FROM_SOURCE,
);
const INSERT_MANY = auditInsertSql(
  `unnest(${AUDIT_COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(", ")}) as e(${COLUMN_NAMES})`,
  FROM_SOURCE,
);

const asText = (entry: Partial<NewAuditEntry>, key: keyof NewAuditEntry): string | null => {
  const v = entry[key] ?? null;
  if (v === null) return null;
  if (v instanceof Date) return v.toISOString();
  return typeof v === "string" ? v : JSON.stringify(v);
};

/** What a composed insert takes as parameters: every column but entity_id, its source's id. */
const COMPOSED_KEYS = AUDIT_COLUMNS.map(([key]) => key).filter((key) => key !== "entityId");

/**
 * The audit insert of a statement that writes its entity and its entry in one round trip: the
 * entity is `source`'s `id`, the other columns are parameters `$first`, `$first + 1`, … in the
 * order `composedAuditParams` gives them.
 */
export function composedAuditSql(source: string, first: number): string {
  const e = Object.fromEntries(
    COMPOSED_KEYS.map((key, i) => [key, `$${first + i}`]),
  ) as AuditExpressions;
  return auditInsertSql(source, { ...e, entityId: `${source}.id` });
}

/** The parameters of `composedAuditSql`, in order. */
export function composedAuditParams(entry: Omit<NewAuditEntry, "entityId">): (string | null)[] {
  return COMPOSED_KEYS.map((key) => asText(entry, key));
}

/** Inserts entries, unchained, in the caller's transaction: the one way into `audit_log`. */
export async function insertAuditEntries(db: Db, entries: NewAuditEntry[]): Promise<void> {
  const [only] = entries;
  if (!only) return;
  const params =
    entries.length === 1
      ? AUDIT_COLUMNS.map(([key]) => asText(only, key))
      : AUDIT_COLUMNS.map(([key]) => entries.map((e) => asText(e, key)));
  await sqlOf(db).unsafe(entries.length === 1 ? INSERT_ONE : INSERT_MANY, params as never[], {
    prepare: true,
  });
}

/** Serialises chain appends ("CARA" in ASCII): one sealer at a time, so the chain never forks. */
const AUDIT_LOCK = 0x43415241;

/** Takes the chain's lock until the end of the caller's transaction. */
export async function lockAuditChain(db: Db): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
}

/** An unsealed entry as the sealer reads it: its id, content and proof. */
export interface UnsealedEntry extends AuditContent {
  id: number;
  proof: string | null;
}

/** A chained entry as verification walks it: also its place and hashes. */
export interface SealedEntry extends UnsealedEntry {
  seq: number;
  prevHash: string | null;
  hash: string | null;
}

// Fixed texts, read straight through postgres.js: the sealer and the checkpoint's walk read
// every entry the node writes, and drizzle's per-column mapping of whole rows cost them more
// than the queries. Dates come back as epoch milliseconds (the column keeps milliseconds).
const ENTRY_COLUMNS = `id::float8 as id, (extract(epoch from at) * 1000)::float8 as at_ms,
    actor_org_id, actor_kind, action, entity_type, entity_id, data, request_id, proof`;
const UNSEALED = `select ${ENTRY_COLUMNS}
  from audit_log where hash is null and id > $1 order by id limit $2`;
const SEALED = `select ${ENTRY_COLUMNS}, seq::float8 as seq, prev_hash, hash
  from audit_log where seq > $1 order by seq limit $2`;

const entryOf = (r: Record<string, unknown>): UnsealedEntry => ({
  id: Number(r.id),
  at: new Date(Number(r.at_ms)),
  actorOrgId: r.actor_org_id as string | null,
  actorKind: r.actor_kind as string,
  action: r.action as string,
  entityType: r.entity_type as string,
  entityId: r.entity_id as string,
  data: r.data as Record<string, unknown>,
  requestId: r.request_id as string | null,
  proof: r.proof as string | null,
});

/** Unsealed entries after `after` (by id), in insertion order. */
export async function unsealedAuditEntries(
  db: Db,
  after: number,
  limit: number,
): Promise<UnsealedEntry[]> {
  const rows = await sqlOf(db).unsafe(UNSEALED, [after, limit], { prepare: true });
  return rows.map(entryOf);
}

/** Chained entries after place `afterSeq`, in chain order. */
export async function sealedAuditEntries(
  db: Db,
  afterSeq: number,
  limit: number,
): Promise<SealedEntry[]> {
  const rows = await sqlOf(db).unsafe(SEALED, [afterSeq, limit], { prepare: true });
  return rows.map((r) => ({
    ...entryOf(r),
    seq: Number(r.seq),
    prevHash: r.prev_hash as string | null,
    hash: r.hash as string | null,
  }));
}

/** The last chained entry: its place, hash and date; undefined for the empty chain. */
export async function auditChainHead(
  db: Db,
): Promise<{ seq: number | null; hash: string | null; at: Date } | undefined> {
  const [head] = await db
    .select({ seq: auditLog.seq, hash: auditLog.hash, at: auditLog.at })
    .from(auditLog)
    .where(isNotNull(auditLog.seq))
    .orderBy(desc(auditLog.seq))
    .limit(1);
  return head;
}

/** An entry's place in the chain, as the sealer computed it. */
export interface SealedLink {
  id: number;
  seq: number;
  prev: string;
  hash: string;
}

/** Gives entries their place in the chain: the only update the table's trigger allows. */
export async function sealAuditEntries(db: Db, links: SealedLink[]): Promise<void> {
  if (links.length === 0) return;
  await db.execute(sql`
    update audit_log a set seq = v.seq, prev_hash = v.prev, hash = v.hash
    from jsonb_to_recordset(${JSON.stringify(links)}::jsonb)
      as v(id bigint, seq bigint, prev text, hash text)
    where a.id = v.id`);
}

/** The name of the database a handle reaches, which names its checkpoint file. */
export async function databaseName(db: Db): Promise<string> {
  const [row] = await db.execute<{ name: string }>(sql`select current_database() as name`);
  if (!row) throw new Error("cannot name the database");
  return row.name;
}
