import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { Scalar } from "@scalar/hono-api-reference";
import type { Hono } from "hono";
import type { AppEnv } from "../env";

/** The Scalar API reference bundle kept in `vendor/` (see vendor/README.md for its origin). */
const REFERENCE_VERSION = "1.76.0";
const BUNDLE = new URL(`./vendor/scalar-api-reference-${REFERENCE_VERSION}.js.gz`, import.meta.url);
const REFERENCE_SCRIPT = `/docs/assets/scalar-api-reference-${REFERENCE_VERSION}.js`;

/**
 * The API reference at /docs, with every script and style served by the node itself: nodes
 * often run on networks without internet, where a page loaded from a CDN stays blank.
 */
export function registerDocs(app: Hono<AppEnv>): void {
  app.get(
    "/docs",
    Scalar({
      url: "/openapi.json",
      pageTitle: "Caravan API reference",
      cdn: REFERENCE_SCRIPT,
      // Each of these reaches out to scalar.com (fonts, telemetry, its AI agent and developer
      // tools), which a node on an isolated network cannot and should not.
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
      showDeveloperTools: "never",
    }),
  );
  app.get(REFERENCE_SCRIPT, async (c) => {
    const gzipped = await readFile(BUNDLE);
    // The name carries the version, so a browser may keep it until the node is upgraded.
    c.header("Cache-Control", "public, max-age=31536000, immutable");
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Vary", "Accept-Encoding");
    if (/\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "")) {
      c.header("Content-Encoding", "gzip");
      return c.body(gzipped);
    }
    return c.body(gunzipSync(gzipped));
  });
}
