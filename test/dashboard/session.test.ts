import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { createRegulator, registerShipper } from "../support/fixtures";

const node = await createTestNode({ rateLimitPerMinute: 10 });
const regulator = await createRegulator(node);
const shipper = await registerShipper(node);
const REPORT = "/v1/reports/flows?from=2026-01-01&to=2026-01-31";

const signIn = (key: string, opts: { remoteAddress?: string; origin?: string } = {}) =>
  node.call("POST", "/dashboard/session", {
    body: { key },
    remoteAddress: opts.remoteAddress,
    headers: opts.origin ? { origin: opts.origin } : {},
  });

const sessionOf = (setCookie: string | null) =>
  /caravan_dashboard_session=([^;]+)/.exec(setCookie ?? "")?.[1] ?? "";

async function session(key = regulator.key): Promise<string> {
  const res = await signIn(key);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return `caravan_dashboard_session=${sessionOf(res.headers.get("set-cookie"))}`;
}

describe("the dashboard's page and assets", () => {
  it("need no key, and carry a self-only Content-Security-Policy", async () => {
    for (const path of [
      "/dashboard",
      "/dashboard/assets/app.js",
      "/dashboard/assets/echarts.js",
      "/dashboard/assets/countries.geojson",
    ]) {
      const res = await node.call("GET", path);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-|https?:|\*/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it("names nothing outside the node", async () => {
    const html = String((await node.call("GET", "/dashboard")).body);
    expect(html.match(/(https?:)?\/\/[^\s"'<>]+/g) ?? []).toEqual([]);
    expect(html).not.toMatch(/<script>|style=/);
  });

  it("serves Natural Earth outlines cut to the network's region", async () => {
    const res = await node.call("GET", "/dashboard/assets/countries.geojson");
    const names = (res.body as { features: { properties: { name: string } }[] }).features.map(
      (f) => f.properties.name,
    );
    expect(names).toEqual(expect.arrayContaining(["China", "Kazakhstan", "Pakistan", "Germany"]));
    expect(names).not.toContain("Brazil");
  });

  it("answers 404 for anything else under assets", async () => {
    for (const name of ["nope.js", "__proto__", "constructor"]) {
      expect((await node.call("GET", `/dashboard/assets/${name}`)).status).toBe(404);
    }
  });
});

describe("signing in", () => {
  it("exchanges a regulator's key for an HttpOnly, SameSite=Strict cookie holding no key", async () => {
    const res = await signIn(regulator.key);
    expect(res.status).toBe(201);
    expect(res.body.kind).toBe("regulator");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^caravan_dashboard_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Max-Age=28800/);
    expect(cookie).not.toContain(regulator.key);
  });

  it("lets admins in too, and no one else", async () => {
    expect((await signIn(node.adminKey)).status).toBe(201);
    const res = await signIn(shipper.key);
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a sign-in posted from another site", async () => {
    const res = await signIn(regulator.key, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("throttles guessed keys per address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) {
      const guess = `cvn_${randomBytes(24).toString("base64url")}`;
      statuses.push((await signIn(guess, { remoteAddress: "192.0.2.91" })).status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });
});

describe("the session", () => {
  it("opens reports and the network's map, as the key would", async () => {
    const cookie = await session();
    for (const path of [REPORT, "/v1/network/hubs", "/v1/network/links", "/v1/network/corridors"]) {
      const res = await node.call("GET", path, { headers: { cookie } });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const me = await node.call("GET", "/dashboard/session", { headers: { cookie } });
    expect(me.body).toEqual({ kind: "regulator" });
  });

  it("opens nothing else: no other read, and no write", async () => {
    const cookie = await session(node.adminKey);
    for (const [method, path] of [
      ["GET", "/v1/orgs"],
      ["GET", "/v1/access-log"],
      ["GET", "/v1/waybills"],
      ["PATCH", "/v1/network/links/R-AKS-DOS"],
      ["POST", "/v1/orgs"],
    ] as const) {
      const body = method === "GET" ? undefined : {};
      const res = await node.call(method, path, { headers: { cookie }, body });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it("is recorded as the regulator's read in the access log", async () => {
    const cookie = await session();
    await node.call("GET", `${REPORT}&mode=rail`, { headers: { cookie } });
    const log = await node.call("GET", "/v1/access-log?limit=50", { key: node.adminKey });
    const items = log.body.items as Record<string, unknown>[];
    expect(items.find((i) => (i.filters as Record<string, string>)?.mode === "rail")).toMatchObject(
      { actorOrgId: regulator.id, entityType: "reports", entityId: "flows" },
    );
  });

  it("ends on sign-out, and a forged one is refused", async () => {
    const cookie = await session();
    const out = await node.call("DELETE", "/dashboard/session", { headers: { cookie } });
    expect(out.status).toBe(204);
    expect((await node.call("GET", REPORT, { headers: { cookie } })).status).toBe(401);
    const forged = await node.call("GET", REPORT, {
      headers: { cookie: "caravan_dashboard_session=forged" },
      remoteAddress: "192.0.2.92",
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get("set-cookie")).toMatch(/caravan_dashboard_session=;.*Max-Age=0/);
  });
});
