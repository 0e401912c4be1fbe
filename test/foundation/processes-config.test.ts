import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config";

const DATABASE_URL = "postgres://caravan@db.example/caravan";

describe("CARAVAN_PROCESSES", () => {
  it("is one process unless told, one per core with auto", () => {
    expect(loadConfig({}).CARAVAN_PROCESSES).toBe(1);
    expect(loadConfig({ DATABASE_URL, CARAVAN_PROCESSES: "3" }).CARAVAN_PROCESSES).toBe(3);
    const auto = loadConfig({ DATABASE_URL, CARAVAN_PROCESSES: "auto" });
    expect(auto.CARAVAN_PROCESSES).toBe(availableParallelism());
  });

  it.each(["0", "-2", "1.5", "many"])("refuses %s by name", (value) => {
    expect(() => loadConfig({ DATABASE_URL, CARAVAN_PROCESSES: value })).toThrow(
      /CARAVAN_PROCESSES: must be a whole number from 1 to 256, or auto/,
    );
  });

  it("refuses more than one process on the embedded PostgreSQL", () => {
    expect(() => loadConfig({ CARAVAN_PROCESSES: "2" })).toThrow(
      /CARAVAN_PROCESSES: more than one process needs DATABASE_URL/,
    );
  });
});

describe("connection budget", () => {
  it("keeps a spare query connection for the start-up lock", () => {
    expect(() => loadConfig({ CARAVAN_DB_POOL: "1" })).toThrow(/CARAVAN_DB_POOL/);
    expect(loadConfig({}).CARAVAN_QUEUE_POOL).toBe(4);
    expect(loadConfig({ CARAVAN_QUEUE_POOL: "2" }).CARAVAN_QUEUE_POOL).toBe(2);
  });
});
