import { describe, expect, it } from "vitest";
import type { Ctx } from "../../core/context";
import {
  claimIdempotencyKey,
  purgeExpiredIdempotencyKeys,
  requestHash,
} from "../../core/idempotency";
import { createApiKey } from "../../core/keys/manage";
import { createTestNode } from "../support/app";
import {
  contact,
  creditCode,
  type Registered,
  registerCarrier,
  registerShipper,
} from "../support/fixtures";

const node = await createTestNode();
const FULL_KEY = /cvn_[A-Za-z0-9_-]{32}/;
const FULL_SECRET = /whsec_[A-Za-z0-9+/]{32}/;

async function idempotencyRows(orgId: string) {
  return node.database.sql`select * from idempotency_keys where org_id = ${orgId}`;
}

/** A second key of the organisation: replays must not depend on which key asks. */
async function secondKey(org: Registered): Promise<string> {
  const res = await node.call("POST", "/v1/api-keys", { key: org.key, body: { name: "second" } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.key;
}

describe("Idempotency-Key never keeps a secret", () => {
  it("a replayed key creation answers 201 with the key's details but not the key", async () => {
    const org = await registerShipper(node);
    const headers = { "idempotency-key": "make-key-1" };
    const first = await node.call("POST", "/v1/api-keys", {
      key: org.key,
      body: { name: "ci" },
      headers,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.key).toMatch(FULL_KEY);
    // Registration names the key `apiKey`: both names answer, so clients of either work.
    expect(first.body.apiKey).toBe(first.body.key);

    const replay = await node.call("POST", "/v1/api-keys", {
      key: await secondKey(org),
      body: { name: "ci" },
      headers,
    });
    expect(replay.status, JSON.stringify(replay.body)).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toMatchObject({ id: first.body.id, name: "ci", prefix: first.body.prefix });
    expect(replay.body.key).toBeUndefined();
    expect(replay.body.apiKey).toBeUndefined();
    expect(replay.body.omittedSecrets).toEqual(["key", "apiKey"]);
    expect(JSON.stringify(replay.body)).not.toContain(first.body.key);

    const rows = await idempotencyRows(org.id);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(first.body.key);
    expect(JSON.stringify(rows)).not.toMatch(FULL_KEY);
  });

  it("a replayed rotation answers without the replacement key", async () => {
    const org = await registerCarrier(node);
    const extra = await secondKey(org);
    const [old] = (await node.call("GET", "/v1/api-keys", { key: org.key })).body.items;
    const headers = { "idempotency-key": "rotate-1" };
    const first = await node.call("POST", `/v1/api-keys/${old.id}/rotate`, {
      key: extra,
      headers,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const replay = await node.call("POST", `/v1/api-keys/${old.id}/rotate`, {
      key: first.body.key,
      headers,
    });
    expect(replay.status).toBe(201);
    expect(replay.body.key).toBeUndefined();
    expect(JSON.stringify(await idempotencyRows(org.id))).not.toMatch(FULL_KEY);
  });

  it("a replayed webhook registration answers without the signing secret", async () => {
    const org = await registerCarrier(node);
    const headers = { "idempotency-key": "hook-1" };
    const body = { url: "https://hooks.example.com/caravan" };
    const first = await node.call("POST", "/v1/webhooks", { key: org.key, body, headers });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.secret).toMatch(FULL_SECRET);

    const replay = await node.call("POST", "/v1/webhooks", {
      key: await secondKey(org),
      body,
      headers,
    });
    expect(replay.status, JSON.stringify(replay.body)).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toMatchObject({ id: first.body.id, url: body.url });
    expect(replay.body.secret).toBeUndefined();
    expect(replay.body.omittedSecrets).toEqual(["secret"]);
    const rows = JSON.stringify(await idempotencyRows(org.id));
    expect(rows).not.toContain(first.body.secret);
    expect(rows).not.toMatch(FULL_SECRET);
  });

  it("a replayed organisation creation answers without its API key", async () => {
    const headers = { "idempotency-key": "regulator-1" };
    const body = {
      kind: "regulator",
      name: "R",
      country: "CN",
      creditCode: creditCode(),
      contact: contact(),
    };
    const first = await node.call("POST", "/v1/orgs", { key: node.adminKey, body, headers });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // `POST /v1/api-keys` names the key `key`: both names answer, so clients of either work.
    expect(first.body.apiKey).toMatch(FULL_KEY);
    expect(first.body.key).toBe(first.body.apiKey);
    const replay = await node.call("POST", "/v1/orgs", { key: node.adminKey, body, headers });
    expect(replay.status).toBe(201);
    expect(replay.body.apiKey).toBeUndefined();
    expect(replay.body.key).toBeUndefined();
    expect(replay.body.omittedSecrets).toEqual(["apiKey", "key"]);
    expect(replay.body.organization.id).toBe(first.body.organization.id);
  });

  it("the result stored with the write (for a crash before the answer) holds no secret", async () => {
    const org = await registerShipper(node);
    const hash = requestHash("POST", "/v1/api-keys", JSON.stringify({ name: "crash" }));
    const db = node.database.db;
    expect((await claimIdempotencyKey(db, { orgId: org.id, key: "crash", hash })).kind).toBe(
      "claimed",
    );
    const ctx: Ctx = {
      db,
      actor: { kind: "shipper", orgId: org.id, orgStatus: "verified", keyId: "key_x" },
      clock: { now: () => new Date() },
      identity: node.identity,
      network: node.network,
      idempotency: { orgId: org.id, key: "crash" },
    };
    const issued = await createApiKey(ctx, { name: "crash" });
    expect(JSON.stringify(await idempotencyRows(org.id))).not.toContain(issued.key);
    const retry = await node.call("POST", "/v1/api-keys", {
      key: org.key,
      body: { name: "crash" },
      headers: { "idempotency-key": "crash" },
    });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id: issued.id, omittedSecrets: ["key"] });
    expect(retry.body.key).toBeUndefined();
  });
});

describe("Idempotency-Key expiry", () => {
  it("after 24 hours the same key is a new request, and the sweep purges the old row", async () => {
    const org = await registerShipper(node);
    const headers = { "idempotency-key": "daily" };
    const first = await node.call("POST", "/v1/api-keys", {
      key: org.key,
      body: { name: "day-1" },
      headers,
    });
    expect(first.status).toBe(201);
    await node.database.sql`
      update idempotency_keys set created_at = now() - interval '25 hours'
      where org_id = ${org.id} and key = 'daily'`;

    // Another body under an expired key is no longer a 422: it is simply a new request.
    const again = await node.call("POST", "/v1/api-keys", {
      key: org.key,
      body: { name: "day-2" },
      headers,
    });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(again.body.id).not.toBe(first.body.id);

    const other = await node.call("POST", "/v1/api-keys", {
      key: org.key,
      body: { name: "kept" },
      headers: { "idempotency-key": "fresh" },
    });
    expect(other.status).toBe(201);
    await node.database.sql`
      update idempotency_keys set created_at = now() - interval '25 hours'
      where org_id = ${org.id} and key = 'daily'`;
    expect(await purgeExpiredIdempotencyKeys(node.database.db)).toBeGreaterThanOrEqual(1);
    const left = await idempotencyRows(org.id);
    expect(left.map((r) => r.key)).toEqual(["fresh"]);
  });
});
