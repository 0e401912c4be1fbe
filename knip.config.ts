import type { KnipConfig } from "knip";

// Unused files, exports and dependencies, checked by `npm run check`.
const config: KnipConfig = {
  entry: [
    "api/server.ts",
    // `npm run bench -- <name>` imports bench/<name>.ts by name.
    "bench/*.ts",
    // The hand-rolled peer bench/api.ts starts as a process of its own, by path.
    "bench/peer/*.ts",
    // Started as a worker thread by seed/history/pool.ts, by URL.
    "seed/history/worker.ts",
  ],
  project: ["{api,core,db,workers,routing,seed,bench,test}/**/*.ts", "*.ts"],
  // The chaos tests stop and start the machine's Redis; CI installs it, npm does not.
  ignoreBinaries: ["redis-server", "redis-cli"],
  // dependency-cruiser parses TypeScript with it (TypeScript 7 has no compiler API to lend).
  ignoreDependencies: ["@swc/core"],
  // A type named in an exported signature stays exported, so callers can name it too.
  ignoreExportsUsedInFile: { interface: true, type: true },
};

export default config;
