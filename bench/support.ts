import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import postgres from "postgres";
import { CREDIT_CODE_CHARSET, creditCodeCheckChar } from "../core/validation/credit-code";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../db/embedded";

/** Shared by every benchmark: where it ran, percentiles, and its section of BENCHMARKS.md. */

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const FILE = new URL("../BENCHMARKS.md", import.meta.url);
const HEADER = `# Benchmarks

Each section is written by \`npm run bench -- <name>\` (\`bench/<name>.ts\`), which measures
Caravan and a baseline in the same run on the same machine. Figures are medians (p50) and
tail percentiles over the run; ratios compare with that run's baseline.
`;

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`, adding it if absent. */
export function writeSection(name: string, markdown: string): void {
  let doc: string;
  try {
    doc = readFileSync(FILE, "utf8");
  } catch {
    doc = HEADER;
  }
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc =
    i >= 0 && j > i
      ? doc.slice(0, i) + block + doc.slice(j + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, doc);
}

export interface BenchServer {
  /** A server URL whose role may create databases. */
  url: string;
  stop(): Promise<void>;
}

/** PostgreSQL for a benchmark: BENCH_DATABASE_URL or DATABASE_URL, else an embedded one. */
export async function benchPostgres(): Promise<BenchServer> {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url) return { url, stop: async () => {} };
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
    dataDir: ".caravan/bench",
    port: 54_349,
  });
  return { url: embedded.url, stop: () => embedded.stop() };
}

/** A fresh empty database on the server, dropped by the returned function. */
export async function freshDatabase(
  serverUrl: string,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}

/** A valid unified social credit code with a random body (enterprise, Urumqi). */
export function creditCode(): string {
  let body = "91650100";
  for (let i = 0; i < 9; i++) body += CREDIT_CODE_CHARSET[Math.floor(Math.random() * 31)];
  return body + creditCodeCheckChar(body);
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc on Linux; undefined
 * elsewhere. Taken around a measured run it gives CPU per request, which a busy machine
 * disturbs far less than requests per second.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100)
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the PostgreSQL backends serving `database` have used so far (Linux, local
 * server); undefined elsewhere. Backends that come and go during a run are missed, so take it
 * around runs on a warm pool.
 */
export function databaseCpuSeconds(database: string): number | undefined {
  try {
    let total = 0;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      let cmd: string;
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue;
      }
      if (!cmd.startsWith("postgres: ") || !cmd.includes(` ${database} `)) continue;
      total += cpuSeconds(Number(pid)) ?? 0;
    }
    return total;
  } catch {
    return undefined;
  }
}

/** CPU per answered request, in µs, of the node process and of its database's backends. */
export async function cpuPerRequest<T extends { answered: number }>(
  pid: number | undefined,
  database: string,
  run: () => Promise<T>,
): Promise<T & { nodeCpuUs?: number; databaseCpuUs?: number }> {
  const node0 = cpuSeconds(pid);
  const db0 = databaseCpuSeconds(database);
  const out = await run();
  const node1 = cpuSeconds(pid);
  const db1 = databaseCpuSeconds(database);
  const per = (a?: number, b?: number) =>
    a !== undefined && b !== undefined && out.answered > 0
      ? Math.round(((b - a) / out.answered) * 1e6)
      : undefined;
  return { ...out, nodeCpuUs: per(node0, node1), databaseCpuUs: per(db0, db1) };
}

/**
 * A real node process (`api/server.ts`) on `port`, as an operator would run it, with the rate
 * limit out of the way and request logging at `warn`. BENCH_PROFILE=<dir> writes a CPU profile.
 */
export async function startNodeProcess(opts: {
  databaseUrl: string;
  port: number;
  adminKey: string;
  pool: number;
  /** More environment for this node (its code, egress allowance, queue backend). */
  env?: Record<string, string>;
}): Promise<ChildProcess> {
  const profile = process.env.BENCH_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "api/server.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      PORT: String(opts.port),
      CARAVAN_ADMIN_KEY: opts.adminKey,
      CARAVAN_RATE_LIMIT: "1000000000",
      CARAVAN_REGISTRATIONS_PER_HOUR: "1000000000",
      CARAVAN_DB_POOL: String(opts.pool),
      LOG_LEVEL: "warn",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((ok, fail) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("is up")) ok();
    });
    child.once("exit", (code) => fail(new Error(`node exited with ${code}: ${out}`)));
  });
  return child;
}
