import { describe, expect, it } from "vitest";
import { vehicleClasses } from "../../db/schema";
import { createTestNode } from "../support/app";
import {
  carrierBody,
  contact,
  createRegulator,
  creditCode,
  registerCarrier,
  registerShipper,
  shipperBody,
  vehicleBody,
} from "../support/fixtures";

const node = await createTestNode();

describe("self-registration", () => {
  it("registers a Chinese shipper as pending and returns its key once", async () => {
    const res = await node.call("POST", "/v1/shippers", { body: shipperBody() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.organization).toMatchObject({
      kind: "shipper",
      status: "pending",
      country: "CN",
    });
    expect(res.body.apiKey).toMatch(/^cvn_/);
    const me = await node.call("GET", `/v1/shippers/${res.body.organization.id}`, {
      key: res.body.apiKey,
    });
    expect(me.status).toBe(200);
    expect(me.body.contact).toEqual(contact());
    expect(JSON.stringify(me.body)).not.toContain(res.body.apiKey);
  });

  it("registers a Kazakh carrier with its 12-digit BIN", async () => {
    const res = await node.call("POST", "/v1/carriers", {
      body: carrierBody({
        country: "KZ",
        creditCode: undefined,
        registrationNumber: "180440026588",
      }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.organization).toMatchObject({
      kind: "carrier",
      country: "KZ",
      modes: ["road", "rail"],
    });
  });

  it("names the wrong position of a credit code", async () => {
    const good = creditCode();
    const last = good.at(-1) === "0" ? "1" : "0";
    const res = await node.call("POST", "/v1/shippers", {
      body: shipperBody({ creditCode: good.slice(0, 17) + last }),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toContainEqual({
      path: "creditCode",
      message: expect.stringMatching(/check digit|position 18/i),
    });
  });

  it.each([
    ["a Chinese organisation without a credit code", { creditCode: undefined }, "creditCode"],
    ["a foreign organisation with a credit code", { country: "KZ" }, "creditCode"],
    ["an unknown country", { country: "XX" }, "country"],
    ["a bad e-mail", { contact: { ...contact(), email: "nope" } }, "contact.email"],
    ["an unknown field", { kind: "admin" }, ""],
  ])("refuses %s", async (_, over, path) => {
    const res = await node.call("POST", "/v1/shippers", { body: shipperBody(over) });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe("BAD_REQUEST");
    if (path) expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it("refuses a second registration with the same credit code", async () => {
    const body = shipperBody();
    expect((await node.call("POST", "/v1/shippers", { body })).status).toBe(201);
    const again = await node.call("POST", "/v1/shippers", { body });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CONFLICT");
  });
});

describe("review", () => {
  it("lets an admin verify and reject; pending carriers cannot add to a rejected state", async () => {
    const a = await registerCarrier(node, { verify: false });
    const verified = await node.call("POST", `/v1/orgs/${a.id}/verify`, { key: node.adminKey });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe("verified");

    const b = await registerCarrier(node, { verify: false });
    // A key used before the decision is cached; the decision must still apply at once.
    expect((await node.call("GET", `/v1/carriers/${b.id}`, { key: b.key })).status).toBe(200);
    const noReason = await node.call("POST", `/v1/orgs/${b.id}/reject`, {
      key: node.adminKey,
      body: {},
    });
    expect(noReason.status).toBe(400);
    const rejected = await node.call("POST", `/v1/orgs/${b.id}/reject`, {
      key: node.adminKey,
      body: { reason: "licence number does not match the register" },
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body).toMatchObject({
      status: "rejected",
      rejectionReason: expect.any(String),
    });
    // A rejected organisation still reads its own record but cannot change its fleet.
    expect((await node.call("GET", `/v1/carriers/${b.id}`, { key: b.key })).status).toBe(200);
    const vehicle = await node.call("POST", `/v1/carriers/${b.id}/vehicles`, {
      key: b.key,
      body: vehicleBody(),
    });
    expect(vehicle.status).toBe(403);
  });

  it("only admins create regulators and admins", async () => {
    const shipper = await registerShipper(node);
    const body = {
      kind: "regulator",
      name: "Gansu Transport Dept",
      country: "CN",
      creditCode: creditCode(),
      contact: contact(),
    };
    expect((await node.call("POST", "/v1/orgs", { key: shipper.key, body })).status).toBe(403);
    const ok = await node.call("POST", "/v1/orgs", { key: node.adminKey, body });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.organization).toMatchObject({ kind: "regulator", status: "verified" });
  });
});

describe("vehicles", () => {
  it("registers road and rail vehicles with validated plates and gauges", async () => {
    const c = await registerCarrier(node);
    const road = await node.call("POST", `/v1/carriers/${c.id}/vehicles`, {
      key: c.key,
      body: vehicleBody(),
    });
    expect(road.status, JSON.stringify(road.body)).toBe(201);
    const rail = await node.call("POST", `/v1/carriers/${c.id}/vehicles`, {
      key: c.key,
      body: vehicleBody({ mode: "rail", plate: "CSQU 305438 3", gauge: 1520 }),
    });
    expect(rail.status, JSON.stringify(rail.body)).toBe(201);
    expect(rail.body.gauge).toBe(1520);
    const one = await node.call("GET", `/v1/carriers/${c.id}/vehicles/${rail.body.id}`, {
      key: c.key,
    });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(rail.body);
    const list = await node.call("GET", `/v1/carriers/${c.id}/vehicles?mode=rail`, { key: c.key });
    expect(list.body.items.map((v: { id: string }) => v.id)).toEqual([rail.body.id]);
  });

  it("lets regulators read a fleet without sensitive fields, and change none of it", async () => {
    const regulator = await createRegulator(node);
    const c = await registerCarrier(node);
    const added = await node.call("POST", `/v1/carriers/${c.id}/vehicles`, {
      key: c.key,
      body: vehicleBody({ plate: "新A77665" }),
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const list = await node.call("GET", `/v1/carriers/${c.id}/vehicles`, { key: regulator.key });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.items.map((v: { id: string }) => v.id)).toEqual([added.body.id]);
    const one = await node.call("GET", `/v1/carriers/${c.id}/vehicles/${added.body.id}`, {
      key: regulator.key,
    });
    expect(one.status).toBe(200);
    // What the regulator sees is the vehicle's view cut at `internal`: no `sensitive` field.
    for (const view of [one.body, ...list.body.items]) {
      for (const field of Object.keys(view)) {
        expect(vehicleClasses[field as keyof typeof vehicleClasses], field).not.toBe("sensitive");
      }
    }
    const write = await node.call("POST", `/v1/carriers/${c.id}/vehicles`, {
      key: regulator.key,
      body: vehicleBody({ plate: "新A77666" }),
    });
    expect(write.status, JSON.stringify(write.body)).toBe(404);
    // Another carrier still sees no fleet but its own.
    const other = await registerCarrier(node);
    const stranger = await node.call("GET", `/v1/carriers/${c.id}/vehicles`, { key: other.key });
    expect(stranger.status).toBe(404);
  });

  it.each([
    ["a malformed Chinese plate", { plate: "ABC" }, "plate"],
    [
      "a container number with a wrong check digit",
      { mode: "rail", plate: "CSQU 305438 4", gauge: 1520 },
      "plate",
    ],
    [
      "a unit number that is not an identifier",
      { mode: "rail", plate: "!!", gauge: 1435 },
      "plate",
    ],
    ["rail without a gauge", { mode: "rail", plate: "CSQU 305438 3" }, "gauge"],
    ["a mode the carrier does not operate", { mode: "air" }, "mode"],
    ["zero capacity", { capacityKg: 0 }, "capacityKg"],
  ])("refuses %s", async (_, over, path) => {
    const c = await registerCarrier(node);
    const res = await node.call("POST", `/v1/carriers/${c.id}/vehicles`, {
      key: c.key,
      body: vehicleBody(over),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });
});

describe("listing and views", () => {
  it("pages through the registry with a cursor", async () => {
    for (let i = 0; i < 5; i++) await registerShipper(node, { verify: false });
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : "";
      const res = await node.call("GET", `/v1/shippers?limit=2${q}`, { key: node.adminKey });
      expect(res.status).toBe(200);
      for (const o of res.body.items) seen.add(o.id);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBeGreaterThanOrEqual(5);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it("filters by status", async () => {
    const res = await node.call("GET", "/v1/orgs?status=pending&kind=shipper", {
      key: node.adminKey,
    });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const o of res.body.items) expect(o).toMatchObject({ status: "pending", kind: "shipper" });
  });

  it("shows regulators the registry without sensitive contact details", async () => {
    const regulator = await createRegulator(node);
    const c = await registerCarrier(node);
    const one = await node.call("GET", `/v1/carriers/${c.id}`, { key: regulator.key });
    expect(one.status).toBe(200);
    expect(one.body.name).toBeDefined();
    expect(JSON.stringify(one.body)).not.toContain(contact().phone);
    expect(JSON.stringify(one.body)).not.toContain(contact().email);
    const list = await node.call("GET", "/v1/carriers?limit=200", { key: regulator.key });
    expect(list.body.items.length).toBeGreaterThan(1);
    expect(JSON.stringify(list.body)).not.toContain(contact().email);
    const admin = await node.call("GET", `/v1/carriers/${c.id}`, { key: node.adminKey });
    expect(admin.body.contact.email).toBe(contact().email);
  });

  it("shows an organisation only itself", async () => {
    const a = await registerShipper(node);
    const res = await node.call("GET", "/v1/orgs?limit=200", { key: a.key });
    expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([a.id]);
  });
});
