import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, inject } from "vitest";
import { type Database, openDatabase } from "../../db/client";
import { withDatabase } from "./urls";

export interface TestDatabase extends Database {
  url: string;
  name: string;
}

// Databases made inside a test (not at a file's top level) would miss a hook registered there:
// every one is dropped when the file ends, wherever it was made.
const made = new Set<() => Promise<void>>();
afterAll(async () => {
  for (const close of made) await close();
});

/**
 * A fresh, migrated database for the calling test file, cloned from the run's template and
 * dropped when the file ends.
 */
export async function createTestDatabase(
  opts: { max?: number; onStatement?: (connection: number, text: string) => void } = {},
): Promise<TestDatabase> {
  const server = inject("pgServerUrl");
  const name = `caravan_t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${inject("templateDatabase")}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(server, name);
  const database = openDatabase(url, { max: opts.max ?? 10, onStatement: opts.onStatement });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await database.close();
    const drop = postgres(server, { max: 1, onnotice: () => {} });
    await drop.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await drop.end();
  };
  made.add(close);
  return { ...database, url, name, close };
}
