import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newLogger } from "../../api/logger";
import { createTestNode } from "../support/app";
import { createTestDatabase } from "../support/db";

/** Every line the logger writes, parsed. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: newLogger({ level: "info" }, stream), text: () => lines.join("\n") };
}

const SECRET = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const PHONE = "+86 991 555 0199";

const database = await createTestDatabase();

/** Fails in each way that puts bound values into an error: drizzle's, postgres.js's and PostgreSQL's. */
const failures: [string, () => Promise<unknown>][] = [
  [
    "a failed drizzle query",
    () => database.db.execute(sql`select ${SECRET}::text, ${PHONE} from no_such_table`),
  ],
  [
    "a failed postgres.js query",
    () => database.sql`select ${SECRET}::text, ${PHONE} from no_such_table`,
  ],
  ["a rejected value", () => database.db.execute(sql`select ${SECRET}::int`)],
  [
    "a unique violation",
    async () => {
      await database.db.execute(sql`create temp table t (hash text primary key, phone text)`);
      await database.db.execute(sql`insert into t values (${SECRET}, ${PHONE})`);
      await database.db.execute(sql`insert into t values (${SECRET}, ${PHONE})`);
    },
  ],
];

describe("database errors in the log", () => {
  it.each(failures)("carry no bound values: %s", async (_what, fail) => {
    const { logger, text } = capture();
    const err = await fail().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    logger.error({ err }, "unhandled error");
    const logged = text();
    expect(logged).toContain("unhandled error");
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(PHONE);
  });

  it("keeps the statement and the error code, so the failure can still be found", async () => {
    const { logger, text } = capture();
    const err = await database.db
      .execute(sql`select ${SECRET}::text from no_such_table`)
      .catch((e: unknown) => e);
    logger.error({ err }, "unhandled error");
    const line = JSON.parse(text());
    expect(line.err.query).toContain("no_such_table");
    expect(line.err.params).toBe("[redacted]");
    expect(line.err.cause.code).toBe("42P01");
  });

  it("reach the node's log without values when a request fails", async () => {
    const { logger, text } = capture();
    const node = await createTestNode({
      logger,
      database,
      mount: (app) =>
        app.get("/boom", async (c) => {
          await c.get("deps").db.execute(sql`select ${SECRET}::text, ${PHONE} from no_such_table`);
          return c.text("unreachable");
        }),
    });
    const res = await node.call("GET", "/boom");
    expect(res.status).toBe(500);
    expect(text()).toContain("unhandled error");
    expect(text()).toContain("no_such_table");
    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain(PHONE);
  });
});
