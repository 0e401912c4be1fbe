import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNode, type TestNode } from "../support/app";

// Nodes often run on networks without internet: /docs must work with nothing but the node.
// A real browser proves it; CI installs Chromium, elsewhere the test is skipped without it.
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (!CHROMIUM) console.log("[docs-offline] skipped: no Chromium (apt-get install chromium)");

interface Page {
  /** The document after its scripts ran, as Chromium serialises it. */
  dom: string;
  /** Every URL the page itself asked for (not the browser's own update checks). */
  requested: string[];
}

interface NetLog {
  constants: { logEventTypes: Record<string, number> };
  events: { type: number; params?: { url?: string; network_isolation_key?: string } }[];
}

/** Loads a page in headless Chromium, which can resolve no host but the loopback address. */
async function loadOffline(url: string): Promise<Page> {
  const dir = await mkdtemp(join(tmpdir(), "caravan-chromium-"));
  const netLog = join(dir, "net-log.json");
  try {
    const dom = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        CHROMIUM as string,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          `--user-data-dir=${join(dir, "profile")}`,
          "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
          `--log-net-log=${netLog}`,
          "--virtual-time-budget=15000",
          "--dump-dom",
          url,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        err += d;
      });
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve(out) : reject(new Error(`chromium exited ${code}: ${err}`)),
      );
    });
    const log = JSON.parse(await readFile(netLog, "utf8")) as NetLog;
    const startJob = log.constants.logEventTypes.URL_REQUEST_START_JOB;
    const site = new URL(url).origin.replace(/:\d+$/, "");
    // The page's requests are keyed by its site; the browser's own carry none or Google's.
    const requested = log.events
      .filter((e) => e.type === startJob && e.params?.network_isolation_key?.includes(site))
      .map((e) => e.params?.url ?? "");
    return { dom, requested };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The visible text of a document, roughly: no styles, scripts or tags, entities decoded. */
function textOf(html: string): string {
  return html
    .replace(/<(style|script)\b[\s\S]*?<\/\1>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

interface OpenApi {
  paths: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
}

describe.skipIf(!CHROMIUM)("the API reference at /docs, on a network without internet", () => {
  let node: TestNode;
  let base: string;
  let close = () => {};
  beforeAll(async () => {
    node = await createTestNode();
    const server = serve({ fetch: node.app.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it("names no script, style or font outside the node", async () => {
    const res = await node.call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(String(res.body).match(/(https?:)?\/\/[^\s"'<>]+/g) ?? []).toEqual([]);
  });

  it("serves the reference's script itself, compressed and cached", async () => {
    const html = String((await node.call("GET", "/docs")).body);
    const src = /<script src="([^"]+)"/.exec(html)?.[1];
    expect(src).toMatch(/^\/docs\/assets\/.+\.js$/);
    const gz = await node.call("GET", src as string, { headers: { "accept-encoding": "gzip" } });
    expect(gz.status).toBe(200);
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gz.headers.get("cache-control")).toContain("immutable");
    const plain = await node.call("GET", src as string);
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(String(plain.body)).toContain("createApiReference");
  });

  it("lists the operations in a browser that can reach nothing but the node", async () => {
    const page = await loadOffline(`${base}/docs`);
    expect(page.requested).toContain(`${base}/openapi.json`);
    expect(page.requested.filter((u) => !u.startsWith(`${base}/`))).toEqual([]);

    const spec = (await node.call<OpenApi>("GET", "/openapi.json")).body;
    const operations = Object.values(spec.paths).flatMap((byMethod) => Object.values(byMethod));
    const text = textOf(page.dom);
    // Every group is listed; the first is open, showing its operations by their summaries.
    const tags = [...new Set(operations.flatMap((op) => op.tags ?? []))];
    expect(tags.length).toBeGreaterThan(3);
    expect(tags.filter((t) => !text.includes(t))).toEqual([]);
    const shown = operations.map((op) => op.summary ?? "").filter((s) => s && text.includes(s));
    expect(shown.length, text.slice(0, 2000)).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
