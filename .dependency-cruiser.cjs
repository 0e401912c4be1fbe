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

/** The pure core modules sample data reuses: no I/O, no context, no verbs. */
const SEED_MAY_USE =
  "^core/(validation/[a-z-]+|canonical|errors|waybills/(lifecycle|number))[.]ts$";

const PURE_ROUTING_FORBIDS = [
  "^(api|core|db|workers|seed)/",
  "^node_modules/(hono|@hono|drizzle-orm|drizzle-kit|postgres|pg|bullmq|ioredis)/",
];

/** A rule that `from` may not import `to` (regular expressions on paths from the repo root). */
function forbid(name, comment, from, to) {
  return { name, severity: "error", comment, from, to };
}

module.exports = {
  forbidden: [
    forbid(
      "no-circular",
      "A cycle makes load order matter and hides which module owns what.",
      {},
      { circular: true },
    ),
    forbid(
      "api-not-to-db",
      "Routes call core verbs; only the composition root opens the database.",
      { path: "^api/", pathNot: COMPOSITION_ROOT },
      { path: "^db/" },
    ),
    forbid(
      "api-not-to-workers",
      "Routes enqueue through core; only the composition root starts the workers.",
      { path: "^api/", pathNot: COMPOSITION_ROOT },
      { path: "^workers/" },
    ),
    forbid(
      "core-only-down",
      "Domain verbs know nothing of HTTP, queues or seed data.",
      { path: "^core/" },
      { path: "^(api|workers|seed|bench|test)/" },
    ),
    forbid(
      "db-is-the-bottom",
      "Schema and queries import no layer above them.",
      { path: "^db/" },
      { path: "^(api|core|workers|seed|bench|test)/" },
    ),
    forbid(
      "workers-through-core",
      "Processors call the same core verbs as the api, never the api or the tables.",
      { path: "^workers/" },
      { path: "^(api|db|seed|bench|test)/" },
    ),
    forbid(
      "routing-is-pure",
      "Routing takes a network and a request; it touches no HTTP, database or queue.",
      { path: "^routing/" },
      { path: PURE_ROUTING_FORBIDS },
    ),
    forbid(
      "seed-on-routing-and-db",
      "Seed data builds networks and rows; it does not drive the node. It may use core's pure " +
        "functions (validators' check characters, canonical JSON, waybill numbers) so the rows " +
        "it writes are the node's own.",
      { path: "^seed/", pathNot: "^seed/cli[.]ts$" },
      { path: "^(api|core|workers|bench|test)/", pathNot: SEED_MAY_USE },
    ),
    forbid(
      "seed-cli-rebuilds-reports",
      "The seed command is its own composition root: besides what seed data may use, it " +
        "reads the node's config and rebuilds the report rollups once the history is written.",
      { path: "^seed/cli[.]ts$" },
      {
        path: "^(api|core|workers|bench|test)/",
        pathNot: `${SEED_MAY_USE}|^core/(config|reports/rebuild)[.]ts$`,
      },
    ),
    forbid(
      "production-not-to-tests",
      "Nothing that runs in a node may import test or benchmark code.",
      { path: "^(api|core|db|workers|routing|seed)/" },
      { path: "^(test|bench)/" },
    ),
    forbid(
      "not-to-unresolvable",
      "An import that resolves to nothing would fail at run time.",
      {},
      { couldNotResolve: true },
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // The dashboard's browser modules import ECharts by the URL the node serves it at.
    exclude: { path: "^(db/migrations|[.]caravan|api/dashboard/page)/" },
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
