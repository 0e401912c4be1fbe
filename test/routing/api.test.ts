import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { routeQuotes } from "../../db/schema";
import { createTestNode, type TestNode } from "../support/app";
import { type Registered, registerCarrier, registerShipper } from "../support/fixtures";

let node: TestNode;
let shipper: Registered;

beforeAll(async () => {
  node = await createTestNode();
  shipper = await registerShipper(node);
});

const JULY = "2026-07-06T08:00:00Z";
const quote = (over: Record<string, unknown> = {}) => ({
  from: "CN-URC",
  to: "KZ-ALA",
  cargo: { weightKg: 18_000, volumeM3: 60 },
  departAt: JULY,
  optimise: "cost",
  ...over,
});
const show = (r: { body: unknown }) => JSON.stringify(r.body);

describe("POST /v1/routes/quote", () => {
  it("answers a verified shipper with routes and a stored quote", async () => {
    const res = await node.call("POST", "/v1/routes/quote", { key: shipper.key, body: quote() });
    expect(res.status, show(res)).toBe(201);
    expect(res.body.quoteId).toMatch(/^rq_[0-9A-Z]{26}$/);
    const [route] = res.body.routes;
    expect(route.labels).toEqual(["cheapest"]);
    for (const f of ["mode", "from", "to", "distanceKm", "durationHours", "cost", "co2eKg"]) {
      expect(route.legs[0]).toHaveProperty(f);
    }
    for (const f of ["cost", "currency", "durationHours", "co2eKg", "distanceKm"]) {
      expect(route.totals).toHaveProperty(f);
    }
    expect(res.body.emissionFactors.version).toBeTruthy();
    const [row] = await node.database.db
      .select()
      .from(routeQuotes)
      .where(eq(routeQuotes.id, res.body.quoteId));
    expect(row?.orgId).toBe(shipper.id);
    expect(row?.request).toMatchObject({ from: "CN-URC", to: "KZ-ALA" });
    expect((row?.result as { routes?: unknown[] } | undefined)?.routes).toHaveLength(1);
  });

  it("says how many vehicles each leg needs, as the OpenAPI schema documents", async () => {
    const res = await node.call("POST", "/v1/routes/quote", {
      key: shipper.key,
      body: quote({ cargo: { weightKg: 40_000 }, modes: ["road"] }),
    });
    expect(res.status, show(res)).toBe(201);
    for (const leg of res.body.routes[0].legs) {
      expect(leg).toMatchObject({ mode: "road", vehicles: 2, vehicleUnit: "truck" });
    }
    const doc = (await node.call("GET", "/openapi.json")).body;
    const leg = doc.components.schemas.Route.properties.legs.items;
    expect(leg.required).toEqual(expect.arrayContaining(["vehicles", "vehicleUnit"]));
    expect(leg.properties.vehicles.description).toMatch(/trucks/);
    const stop = doc.components.schemas.Route.properties.stops.items;
    expect(stop.properties.type.enum).toContain("terminal-handling");
  });

  it("is open to verified carriers too, and returns a Pareto set", async () => {
    const carrier = await registerCarrier(node);
    const res = await node.call("POST", "/v1/routes/quote", {
      key: carrier.key,
      body: quote({ from: "CN-XIY", to: "DE-DUI", optimise: "pareto" }),
    });
    expect(res.status, show(res)).toBe(201);
    const labels = res.body.routes.flatMap((r: { labels: string[] }) => r.labels);
    expect(labels).toEqual(expect.arrayContaining(["cheapest", "fastest", "greenest", "balanced"]));
  });

  it("answers 422 NO_ROUTE with the reason", async () => {
    const res = await node.call("POST", "/v1/routes/quote", {
      key: shipper.key,
      body: quote({
        from: "CN-KHG",
        to: "PK-ISB",
        modes: ["road"],
        departAt: "2027-01-12T08:00:00Z",
      }),
    });
    expect(res.status, show(res)).toBe(422);
    expect(res.body.error.code).toBe("NO_ROUTE");
    expect(res.body.error.message).toMatch(/Khunjerab/);
    expect(res.body.error.details).toContainEqual({ path: "reason", message: "CLOSURE" });
    expect(res.body.error.details).toContainEqual({ path: "blockedBy", message: "X-KHJ" });
  });

  it("answers 422 NO_ROUTE when every route crosses an avoided country", async () => {
    const res = await node.call("POST", "/v1/routes/quote", {
      key: shipper.key,
      body: quote({
        to: "DE-DUI",
        avoidCountries: ["RU", "BY", "AZ", "EG"],
        modes: ["rail", "sea"],
      }),
    });
    expect(res.status, show(res)).toBe(422);
    expect(res.body.error.details).toContainEqual({ path: "reason", message: "AVOIDED_COUNTRY" });
  });

  it.each([
    ["cargo.weightKg", { cargo: { weightKg: -1 } }],
    ["from", { from: "Urumqi" }],
    ["optimise", { optimise: "cheapest" }],
    ["modes.0", { modes: ["camel"] }],
    ["cargo.dangerousGoods.class", { cargo: { weightKg: 10, dangerousGoods: { class: "11" } } }],
    ["surprise", { surprise: true }],
  ])("refuses a bad %s with 400 naming the field", async (path, over) => {
    const res = await node.call("POST", "/v1/routes/quote", {
      key: shipper.key,
      body: quote(over),
    });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe("BAD_REQUEST");
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it("refuses an unknown hub with 400 naming the field", async () => {
    const res = await node.call("POST", "/v1/routes/quote", {
      key: shipper.key,
      body: quote({ to: "KZ-XXX" }),
    });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details).toEqual([{ path: "to", message: "unknown hub KZ-XXX" }]);
  });

  it("refuses a caller without a key (401) and an unverified organisation (403)", async () => {
    const anon = await node.call("POST", "/v1/routes/quote", { body: quote() });
    expect(anon.status, show(anon)).toBe(401);
    const pending = await registerShipper(node, { verify: false });
    const res = await node.call("POST", "/v1/routes/quote", { key: pending.key, body: quote() });
    expect(res.status, show(res)).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
  });
});

describe("network listings", () => {
  it("lists hubs with the contract's fields", async () => {
    const res = await node.call("GET", "/v1/network/hubs", { key: shipper.key });
    expect(res.status, show(res)).toBe(200);
    const urc = res.body.items.find((h: { code: string }) => h.code === "CN-URC");
    expect(urc).toMatchObject({
      name: "Urumqi",
      nameZh: "乌鲁木齐",
      country: "CN",
      kind: "logistics-hub",
    });
    expect(typeof urc.lat).toBe("number");
    expect(typeof urc.lon).toBe("number");
  });

  it("lists links with gauge and status", async () => {
    const res = await node.call("GET", "/v1/network/links", { key: shipper.key });
    expect(res.status, show(res)).toBe(200);
    const link = res.body.items.find((l: { id: string }) => l.id === "R-AKS-DOS");
    expect(link).toMatchObject({
      from: "CN-AKS",
      to: "KZ-DOS",
      mode: "rail",
      gauge: 1435,
      status: "open",
    });
    expect(typeof link.distanceKm).toBe("number");
  });

  it.each(["hubs", "links"])("gives %s as a GeoJSON FeatureCollection", async (what) => {
    const res = await node.call("GET", `/v1/network/${what}?format=geojson`, { key: shipper.key });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.type).toBe("FeatureCollection");
    const f = res.body.features[0];
    expect(f.type).toBe("Feature");
    expect(f.geometry.type).toBe(what === "hubs" ? "Point" : "LineString");
    const [lon, lat] = what === "hubs" ? f.geometry.coordinates : f.geometry.coordinates[0];
    expect(lon).toBeGreaterThan(-180);
    expect(lat).toBeLessThan(90);
  });

  it("refuses an unknown format with 400", async () => {
    const res = await node.call("GET", "/v1/network/hubs?format=kml", { key: shipper.key });
    expect(res.status, show(res)).toBe(400);
  });
});

describe("PATCH /v1/network/links/{id}", () => {
  it("an admin's closure changes the next quote at once, and reopening restores it", async () => {
    const ask = () =>
      node.call("POST", "/v1/routes/quote", {
        key: shipper.key,
        body: quote({ modes: ["rail"] }),
      });
    const before = await ask();
    expect(before.status, show(before)).toBe(201);
    const crossing = before.body.routes[0].legs.find((l: { crossing?: string }) => l.crossing);
    const closed = await node.call("PATCH", `/v1/network/links/${crossing.linkId}`, {
      key: node.adminKey,
      body: { status: "closed", reason: "derailment clean-up" },
    });
    expect(closed.status, show(closed)).toBe(200);
    expect(closed.body).toMatchObject({ id: crossing.linkId, status: "closed", closedUntil: null });
    const during = await ask();
    expect(during.status, show(during)).toBe(201);
    const used = during.body.routes[0].legs.map((l: { linkId: string }) => l.linkId);
    expect(used).not.toContain(crossing.linkId);

    const reopened = await node.call("PATCH", `/v1/network/links/${crossing.linkId}`, {
      key: node.adminKey,
      body: { status: "open" },
    });
    expect(reopened.status, show(reopened)).toBe(200);
    const after = await ask();
    expect(after.body.routes).toEqual(before.body.routes);
  });

  it("a closure with an end date is shown as closed until then", async () => {
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const res = await node.call("PATCH", "/v1/network/links/D-KHJ-SST", {
      key: node.adminKey,
      body: { status: "closed", until },
    });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.closedUntil).toBe(until);
    const list = await node.call("GET", "/v1/network/links", { key: shipper.key });
    const link = list.body.items.find((l: { id: string }) => l.id === "D-KHJ-SST");
    expect(link.status).toBe("closed");
    await node.call("PATCH", "/v1/network/links/D-KHJ-SST", {
      key: node.adminKey,
      body: { status: "open" },
    });
  });

  it("is for admins only (403), and names unknown links (404)", async () => {
    const res = await node.call("PATCH", "/v1/network/links/R-AKS-DOS", {
      key: shipper.key,
      body: { status: "closed" },
    });
    expect(res.status, show(res)).toBe(403);
    const missing = await node.call("PATCH", "/v1/network/links/R-NOT-HERE", {
      key: node.adminKey,
      body: { status: "closed" },
    });
    expect(missing.status, show(missing)).toBe(404);
  });
});
