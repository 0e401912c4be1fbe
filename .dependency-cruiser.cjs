// Layering of the node, checked by `npm run check` (STYLE.md, "the shape of the house"):
// api -> core -> db, workers -> core, routing is pure, seed builds on routing and db.
// test/ and bench/ may import anything. The composition root alone wires workers and db into
// the api.
//
// TypeScript 7 has no compiler API, so sources are parsed with swc. That parser does not label
// type-only imports, so every import counts as a dependency here, `import type` included: the
// rules below are as strict for types as for values.

/** The files that build a node out of every layer: the only api files that may reach past core. */
const COMPOSITION_ROOT = "^api/(compose|server|node)[.]ts$";

// TODO(write-paths): core/context.ts and core/audit/append.ts import each other (types one way,
// onBeforeCommit the other); core is being reworked elsewhere, so this one cycle waits for that.
const KNOWN_CORE_CYCLE = "^core/(context|audit/append)[.]ts$";

const PURE_ROUTING_FORBIDS = [
  "^(api|core|db|workers|seed)/",
  "^node_modules/(hono|@hono|drizzle-orm|drizzle-kit|postgres|pg|bullmq|ioredis)/",
];

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes load order matter and hides which module owns what.",
      from: { pathNot: KNOWN_CORE_CYCLE },
      to: { circular: true },
    },
    {
      name: "api-not-to-db",
      severity: "error",
      comment: "Routes call core verbs; only the composition root opens the database.",
      from: { path: "^api/", pathNot: COMPOSITION_ROOT },
      to: { path: "^db/" },
    },
    {
      name: "api-not-to-workers",
      severity: "error",
      comment: "Routes enqueue through core; only the composition root starts the workers.",
      from: { path: "^api/", pathNot: COMPOSITION_ROOT },
      to: { path: "^workers/" },
    },
    {
      name: "core-only-down",
      severity: "error",
      comment: "Domain verbs know nothing of HTTP, queues or seed data.",
      from: { path: "^core/" },
      to: { path: "^(api|workers|seed|bench|test)/" },
    },
    {
      name: "db-is-the-bottom",
      severity: "error",
      comment: "Schema and queries import no layer above them.",
      from: { path: "^db/" },
      to: { path: "^(api|core|workers|seed|bench|test)/" },
    },
    {
      name: "workers-through-core",
      severity: "error",
      comment: "Processors call the same core verbs as the api, never the api or the tables.",
      from: { path: "^workers/" },
      to: { path: "^(api|db|seed|bench|test)/" },
    },
    {
      name: "routing-is-pure",
      severity: "error",
      comment: "Routing takes a network and a request; it touches no HTTP, database or queue.",
      from: { path: "^routing/" },
      to: { path: PURE_ROUTING_FORBIDS },
    },
    {
      name: "seed-on-routing-and-db",
      severity: "error",
      comment: "Seed data builds networks and rows; it does not drive the node.",
      from: { path: "^seed/" },
      to: { path: "^(api|core|workers|bench|test)/" },
    },
    {
      name: "production-not-to-tests",
      severity: "error",
      comment: "Nothing that runs in a node may import test or benchmark code.",
      from: { path: "^(api|core|db|workers|routing|seed)/" },
      to: { path: "^(test|bench)/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to nothing would fail at run time.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(db/migrations|[.]caravan)/" },
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".json"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
