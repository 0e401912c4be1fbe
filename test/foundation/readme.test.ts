import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEED_EVENT_TYPES } from "../../core/feed/emit";
import { validateCreditCode, validateRegistrationNumber } from "../../core/validation";
import { TRANSITIONS } from "../../core/waybills/lifecycle";
import { loadSeedNetwork } from "../../seed/network";
import { createTestNode, type TestNode } from "../support/app";

// The README's user stories are a newcomer's first contact: every shell block of that section
// runs, in order and unchanged but for the node's address and admin key, against a node on a
// loopback port. Any answer of 4xx or 5xx stops the run (curl --fail-with-body), so a README
// that drifts from the node fails here.
const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

const blocks = [...section("User stories").matchAll(/\n```sh\n([\s\S]*?)\n```/g)].map(
  (m) => m[1] as string,
);

/** The body rows of the first table under a `### title` heading, as trimmed cells. */
function table(title: string): string[][] {
  const start = README.indexOf(`\n### ${title}\n`);
  if (start < 0) throw new Error(`README has no heading "${title}"`);
  const lines = README.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith("|"));
  return lines.slice(first + 2, end).map((l) =>
    l
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

const codesIn = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

function has(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return null;
  }
}
const curlHelp = has("curl", ["--help", "all"]);
const bash = has("bash", ["-c", "echo ok"]) !== null;
if (!curlHelp || !bash) console.log("[readme] user stories skipped: they need bash and curl");
// Older curls (before 7.76) lack --fail-with-body; --fail still stops at the first error.
const failFlag = curlHelp?.includes("--fail-with-body") ? "--fail-with-body" : "--fail";

/** The stories as one script: stop at the first failing command, name each block as it ends. */
function script(base: string, adminKey: string): string {
  const setup = /^export CARAVAN=\S+ ADMIN_KEY=\S+$/m;
  expect(blocks[0], "the first block sets CARAVAN and ADMIN_KEY").toMatch(setup);
  const body = blocks
    .map(
      (b, i) => `${b.replace(setup, `export CARAVAN=${base} ADMIN_KEY=${adminKey}`)}
echo; echo "[readme] block ${i + 1} of ${blocks.length} done"`,
    )
    .join("\n");
  // The answer of a failed call goes to stderr with the call, for the failure message.
  const curl = `curl() {
  local out rc=0
  out=$(command curl ${failFlag} "$@") || rc=$?
  if [ "$rc" -ne 0 ]; then printf '%s\\n[readme] failed (curl exit %s): curl %s\\n' "$out" "$rc" "$*" >&2; return "$rc"; fi
  printf '%s' "$out"
}`;
  return `set -euo pipefail\n${curl}\n${body}\n`;
}

function run(code: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-c", code],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const exit = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code: exit, out: `${stdout}\n--- stderr ---\n${stderr}` });
      },
    );
  });
}

describe("the README", () => {
  it("has user stories to run (sanity)", () => {
    expect(blocks.length).toBeGreaterThan(5);
    const all = blocks.join("\n");
    for (const call of [
      "/v1/shippers",
      "/v1/carriers",
      "/verify",
      "/reject",
      "/v1/orgs",
      "/v1/api-keys",
      "/vehicles",
      "/v1/loads",
      "/v1/routes/quote",
      "/bids",
      "/award",
      "/v1/waybills",
      "/events",
      "pod_confirmed",
      "/v1/reports/",
    ]) {
      expect(all).toContain(call);
    }
  });

  it("gives only credit codes and Kazakh BINs that pass the node's checks", () => {
    const codes = [...README.matchAll(/[`"]([0-9A-Y]{18})[`"]/g)].map((m) => m[1] as string);
    const bins = [...README.matchAll(/[`"]([0-9]{12})[`"]/g)].map((m) => m[1] as string);
    expect(codes.length).toBeGreaterThanOrEqual(4);
    expect(bins.length).toBeGreaterThanOrEqual(3);
    expect(codes.filter((c) => !validateCreditCode(c).ok)).toEqual([]);
    expect(bins.filter((b) => !validateRegistrationNumber("KZ", b).ok)).toEqual([]);
  });

  it("names only hub codes the network has", () => {
    const hubs = new Set(loadSeedNetwork().hubs.map((h) => h.code));
    const named = new Set([...README.matchAll(/`([A-Z]{2}-[A-Z]{3})`/g)].map((m) => m[1]));
    expect([...named].filter((c) => !hubs.has(c as string))).toEqual([]);
    expect(README).toContain(`All ${hubs.size}, with coordinates`);
  });

  it("gives the tracking transitions the node enforces", () => {
    const documented = Object.fromEntries(
      table("Tracking events").map(([from, next]) => [
        codesIn(from as string)[0],
        codesIn(next as string),
      ]),
    );
    expect(documented).toEqual(TRANSITIONS);
  });

  it("lists every feed and webhook event type", () => {
    const documented = table("Feed and webhook events").flatMap(([types]) =>
      codesIn(types as string),
    );
    expect([...documented].sort()).toEqual([...FEED_EVENT_TYPES].sort());
  });

  describe.skipIf(!curlHelp || !bash)("user stories, against a running node", () => {
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

    it("run in order, every call answered with success", async () => {
      const { code, out } = await run(script(base, node.adminKey));
      expect(code, out.slice(-6000)).toBe(0);
      expect(out).toContain(`block ${blocks.length} of ${blocks.length} done`);
    }, 180_000);

    it("leave what they say: a waybill delivered and confirmed, a rejection with its reason", async () => {
      const orgs = await node.call("GET", "/v1/orgs?limit=100", { key: node.adminKey });
      expect(orgs.status, JSON.stringify(orgs.body)).toBe(200);
      const byName = new Map(
        (orgs.body.items as { name: string; status: string; rejectionReason?: string }[]).map(
          (o) => [o.name, o],
        ),
      );
      expect(byName.get("Urumqi Cotton Export Co.")?.status).toBe("verified");
      expect(byName.get("Tianshan Road Freight")?.status).toBe("verified");
      expect(byName.get("Silk Road Trading")).toMatchObject({ status: "rejected" });
      expect(byName.get("Xinjiang Transport Department")?.status).toBe("verified");
      const waybills = await node.call("GET", "/v1/waybills", { key: node.adminKey });
      expect(waybills.status, JSON.stringify(waybills.body)).toBe(200);
      const statuses = (waybills.body.items as { status: string }[]).map((w) => w.status).sort();
      expect(statuses).toEqual(["created", "pod_confirmed"]);
    });
  });
});
