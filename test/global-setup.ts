import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { Redis } from "ioredis";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { MIGRATIONS_FOLDER, migrateDatabase, openDatabase } from "../db/client";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../db/embedded";
import { databaseUrl, withDatabase } from "./support/urls";

declare module "vitest" {
  export interface ProvidedContext {
    /** A server URL whose role may create databases; per-file databases are made on it. */
    pgServerUrl: string;
    /** Name of the migrated template database each test file clones. */
    templateDatabase: string;
    /** Redis for queue tests, or null when none is reachable (those cases are skipped). */
    redisUrl: string | null;
  }
}

let embedded: EmbeddedDatabase | undefined;

async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function redisReachable(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The template's name follows the migrations, so a changed migration gets a fresh template. */
function templateName(): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (file.endsWith(".sql")) hash.update(readFileSync(`${MIGRATIONS_FOLDER}/${file}`));
  }
  return `caravan_tpl_${hash.digest("hex").slice(0, 12)}`;
}

export async function setup(project: TestProject): Promise<void> {
  try {
    await prepare(project);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

async function prepare(project: TestProject): Promise<void> {
  let server = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!server || !(await reachable(server))) {
    console.log(
      `[tests] ${server ? "PostgreSQL at DATABASE_URL is not reachable" : "no DATABASE_URL"}: using embedded PostgreSQL`,
    );
    embedded = await startEmbeddedPostgres({ dataDir: ".caravan/test", port: 54339 });
    server = embedded.url;
  }
  const template = templateName();
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${template}`;
    if (!exists) {
      const building = `${template}_build_${process.pid}`;
      await admin.unsafe(`create database "${building}"`);
      const db = openDatabase(withDatabase(server, building), { max: 2 });
      await migrateDatabase(db);
      await db.close();
      await admin.unsafe(`alter database "${building}" rename to "${template}"`).catch(() => {});
      await admin.unsafe(`drop database if exists "${building}"`);
    }
  } finally {
    await admin.end();
  }
  project.provide("pgServerUrl", databaseUrl(server));
  project.provide("templateDatabase", template);

  const redis = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redisOk = await redisReachable(redis);
  if (!redisOk) console.log(`[tests] Redis not reachable at ${redis}: Redis queue cases SKIPPED`);
  project.provide("redisUrl", redisOk ? redis : null);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
}
