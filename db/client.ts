import { fileURLToPath } from "node:url";
import { type PgDatabase, PgDialect } from "drizzle-orm/pg-core";
import {
  drizzle,
  type PostgresJsQueryResultHKT,
  PostgresJsSession,
  PostgresJsTransaction,
} from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

/** A database handle or a transaction: verbs accept either. */
export type Db = PgDatabase<PostgresJsQueryResultHKT>;

/** The postgres.js client behind a handle: fixed-text statements in `db/queries` run on it. */
export type Sql = postgres.Sql | postgres.TransactionSql;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/** Every handle this module makes, with the client it runs on. */
const clients = new WeakMap<Db, Sql>();

const CASING = "snake_case";
const dialect = new PgDialect({ casing: CASING });

/** A drizzle handle over the node's pool. No relational schema: nothing uses those queries. */
function handle(client: postgres.Sql): Db {
  const db = drizzle(client, { casing: CASING }) as Db;
  clients.set(db, client);
  return db;
}

/** A drizzle transaction over a postgres.js one, built as drizzle's own `transaction` does. */
function transactionHandle(client: postgres.TransactionSql): Db {
  // drizzle types a session's client as a pool; its own transactions pass a TransactionSql too.
  const session = new PostgresJsSession(client as unknown as postgres.Sql, dialect, undefined);
  const tx = new PostgresJsTransaction(dialect, session as never, undefined) as unknown as Db;
  clients.set(tx, client);
  return tx;
}

/** The postgres.js client behind a handle made here (`openDatabase` or `transaction`). */
export function sqlOf(db: Db): Sql {
  const client = clients.get(db);
  if (!client) throw new Error("database handle was not opened by db/client");
  return client;
}

/**
 * Runs `fn` in one transaction (a savepoint inside another). The handle it gets is a drizzle
 * handle whose client is the transaction's, so `sqlOf` works on it too.
 */
export function transaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  const client = sqlOf(db);
  const run = (tx: postgres.TransactionSql) => fn(transactionHandle(tx));
  return ("begin" in client ? client.begin(run) : client.savepoint(run)) as Promise<T>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));

const DML = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * drizzle sends every query as an unnamed statement, which PostgreSQL parses and plans each
 * time. Marking data queries `prepare` lets postgres.js keep one named statement per query
 * text and connection. Inside transactions too: `begin` hands out the same wrapper.
 */
function preparing<T extends postgres.Sql | postgres.TransactionSql>(client: T): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (query: string, params?: postgres.ParameterOrJSON<never>[], o?: object) =>
          target.unsafe(query, params, { ...o, prepare: DML.test(query) });
      }
      if (prop === "begin" || prop === "savepoint") {
        return (...args: unknown[]) => {
          const fn = args.at(-1) as (tx: postgres.TransactionSql) => unknown;
          const begin = Reflect.get(target, prop, receiver) as (...a: unknown[]) => unknown;
          return begin(...args.slice(0, -1), (tx: postgres.TransactionSql) => fn(preparing(tx)));
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * postgres.js is patched (patches/postgres+3.4.9.patch) so that a connection PostgreSQL ends
 * under load costs the queries on it, not the process.
 */
export function openDatabase(
  url: string,
  opts: {
    max?: number;
    /** Called as each statement is sent (tests count a request's statements and round trips). */
    onStatement?: (connection: number, text: string) => void;
  } = {},
): Database {
  const onStatement = opts.onStatement;
  const sql = postgres(url, {
    max: opts.max ?? 20,
    ...(onStatement
      ? { debug: (connection: number, text: string) => onStatement(connection, text) }
      : {}),
    onnotice: () => {},
    // After a failover or a reaper ends many connections at once, each counts as a failed
    // attempt; the driver's default backoff then grows to 20 s per reconnect. Retry within 2 s.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 2) * (0.5 + Math.random() / 2),
  });
  const db = handle(preparing(sql));
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** Advisory lock keys of this node's database (one number space per database). */
export const LOCKS = {
  /** Held while migrating and bootstrapping, so processes starting together take turns. */
  startup: 0x63617201,
  /** Held by the cluster's leader for as long as it leads (db/leader.ts). */
  leader: 0x63617202,
} as const;

/**
 * Runs `fn` while holding the session advisory lock `key` on a connection of `lock` reserved
 * for it: other processes asking for the same key wait until `fn` ends. If `fn` queries
 * through the same pool, that pool needs a connection to spare besides the reserved one.
 */
export async function withAdvisoryLock<T>(
  lock: Database,
  key: number,
  fn: () => Promise<T>,
): Promise<T> {
  const reserved = await lock.sql.reserve();
  try {
    await reserved`select pg_advisory_lock(${key})`;
    try {
      return await fn();
    } finally {
      await reserved`select pg_advisory_unlock(${key})`;
    }
  } finally {
    reserved.release();
  }
}

/**
 * Applies pending migrations. Processes started together on a fresh database take turns (an
 * advisory lock, on `opts.lock`'s session if given): without it, two would both create the
 * first tables and one would fail.
 */
export async function migrateDatabase(
  database: Database,
  opts: { lock?: Database } = {},
): Promise<void> {
  await withAdvisoryLock(opts.lock ?? database, LOCKS.startup, () =>
    migrate(database.db as Parameters<typeof migrate>[0], {
      migrationsFolder: MIGRATIONS_FOLDER,
    }),
  );
}

/**
 * Waits (up to `ms`) until no other session is connected to this database: clients that
 * resolve `close()` before their sockets are gone would otherwise see a server stopped under
 * them end their sessions with an error.
 */
export async function untilOnlyConnection(database: Database, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const [row] = await database.sql<{ others: number }[]>`
      select count(*)::int as others from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()`.catch(() => [undefined]);
    if (!row || row.others === 0) return; // none left, or the server is already gone
    await new Promise((r) => setTimeout(r, 50));
  }
}
