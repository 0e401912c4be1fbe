import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { Context, Hono, Next } from "hono";
import type { AppEnv } from "../env";
import { errorResponse } from "../errors";
import { regionOutlines } from "./outlines";
import { registerDashboardSession } from "./session";

const BASE = "/dashboard";
const require = createRequire(import.meta.url);
const page = (name: string) => fileURLToPath(new URL(`./page/${name}`, import.meta.url));
/** ECharts' own ES module build, as its package ships it (not in the package's exports). */
const echartsModule = () => join(dirname(require.resolve("echarts")), "echarts.esm.min.mjs");

/**
 * Self only: the page runs its own modules and styles and talks to its own node. No inline
 * script or style, nothing from elsewhere, not framed: a node must work with no internet,
 * and a regulator's view of the region's freight must not leak to a third party.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

interface Asset {
  type: string;
  load: () => Promise<Buffer | string>;
}

const JS = "text/javascript; charset=utf-8";
const ASSETS: Record<string, Asset> = {
  "index.html": { type: "text/html; charset=utf-8", load: () => readFile(page("index.html")) },
  "app.js": { type: JS, load: () => readFile(page("app.js")) },
  "charts.js": { type: JS, load: () => readFile(page("charts.js")) },
  "i18n.js": { type: JS, load: () => readFile(page("i18n.js")) },
  "icon.svg": { type: "image/svg+xml", load: () => readFile(page("icon.svg")) },
  "app.css": { type: "text/css; charset=utf-8", load: () => readFile(page("app.css")) },
  "echarts.js": { type: JS, load: () => readFile(echartsModule()) },
  "countries.geojson": {
    type: "application/geo+json",
    load: async () => JSON.stringify(regionOutlines(await readFile(worldAtlas(), "utf8"))),
  },
};
const worldAtlas = () => require.resolve("world-atlas/countries-50m.json");

interface Loaded {
  type: string;
  plain: Buffer;
  gzipped: Buffer;
  etag: string;
}

/** Each asset is read (and compressed) once per process, on its first request. */
const loaded = new Map<string, Promise<Loaded>>();

function load(name: string, asset: Asset): Promise<Loaded> {
  let hit = loaded.get(name);
  if (!hit) {
    hit = asset.load().then((body) => {
      const plain = Buffer.from(body);
      const etag = `"${createHash("sha256").update(plain).digest("base64url").slice(0, 22)}"`;
      return { type: asset.type, plain, gzipped: gzipSync(plain), etag };
    });
    hit.catch(() => loaded.delete(name));
    loaded.set(name, hit);
  }
  return hit;
}

async function serve(c: Context<AppEnv>, name: string): Promise<Response> {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return errorResponse(c, "NOT_FOUND", `no dashboard asset ${name}`);
  const file = await load(name, asset);
  // Revalidated on each load (cheap: a 304), so an upgraded node never serves a stale page.
  c.header("Cache-Control", "no-cache");
  c.header("ETag", file.etag);
  c.header("Vary", "Accept-Encoding");
  if (c.req.header("if-none-match") === file.etag) return c.body(null, 304);
  c.header("Content-Type", file.type);
  if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
    c.header("Content-Encoding", "gzip");
    return c.body(new Uint8Array(file.gzipped));
  }
  return c.body(new Uint8Array(file.plain));
}

async function secureHeaders(c: Context<AppEnv>, next: Next): Promise<void> {
  await next();
  c.header("Content-Security-Policy", CSP);
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Frame-Options", "DENY");
}

/**
 * The regulators' dashboard at /dashboard: a page and its assets, which need no key, served
 * from the node's own files (ECharts and Natural Earth outlines from node_modules); every
 * figure on it comes from `/v1/reports` and `/v1/network` under the dashboard session.
 */
export function registerRegulatorDashboard(app: Hono<AppEnv>): void {
  app.use(BASE, secureHeaders);
  app.use(`${BASE}/*`, secureHeaders);
  registerDashboardSession(app);
  app.get(BASE, (c) => serve(c, "index.html"));
  app.get(`${BASE}/`, (c) => c.redirect(BASE, 301));
  app.get(`${BASE}/assets/:name`, (c) => serve(c, c.req.param("name")));
}
