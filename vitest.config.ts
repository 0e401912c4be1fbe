import { defineConfig } from "vitest/config";

// Files that start several nodes (each with its own database pool and queue connections), or
// stop and kill processes, run one at a time after the rest: side by side they would need more
// connections than a default PostgreSQL allows (100).
const MULTI_NODE = [
  "test/chaos/**/*.test.ts",
  "test/federation/{transport,faults,sync,catch-up,replica-carriers,reports}.test.ts",
];

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: { name: "node", include: ["test/**/*.test.ts"], exclude: MULTI_NODE },
      },
      {
        extends: true,
        test: {
          name: "multi-node",
          include: MULTI_NODE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
