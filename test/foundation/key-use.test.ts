import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { type Registered, registerCarrier, registerShipper } from "../support/fixtures";

const node = await createTestNode();

/** Another live key of the organisation. */
async function secondKey(org: Registered): Promise<string> {
  const res = await node.call("POST", "/v1/api-keys", { key: org.key, body: { name: "second" } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.key;
}

describe("API keys in use", () => {
  async function lastUsedAt(orgId: string): Promise<string | null> {
    const [row] = await node.database.sql`
      select to_json(last_used_at) #>> '{}' as at from api_keys
      where org_id = ${orgId} and revoked_at is null`;
    return row?.at ? new Date(row.at).toISOString() : null;
  }

  it("record when they were last used, at most once a minute", async () => {
    const org = await registerShipper(node);
    expect(await lastUsedAt(org.id)).toBeNull();
    await node.call("GET", "/v1/api-keys", { key: org.key });
    await expect.poll(() => lastUsedAt(org.id), { timeout: 5_000 }).not.toBeNull();
    const first = await lastUsedAt(org.id);
    await node.call("GET", "/v1/api-keys", { key: org.key });
    await new Promise((r) => setTimeout(r, 200));
    expect(await lastUsedAt(org.id)).toEqual(first);
    const listed = await node.call("GET", "/v1/api-keys", { key: org.key });
    expect(listed.body.items[0].lastUsedAt).toBe(first);
  });

  it("an organisation's last live key cannot be revoked", async () => {
    const org = await registerCarrier(node);
    const [only] = (await node.call("GET", "/v1/api-keys", { key: org.key })).body.items;
    const refused = await node.call("DELETE", `/v1/api-keys/${only.id}`, { key: org.key });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.reason).toBe("LAST_API_KEY");
    expect(refused.body.error.message).toMatch(/last live key/);
    expect((await node.call("GET", "/v1/api-keys", { key: org.key })).status).toBe(200);

    const spare = await secondKey(org);
    expect((await node.call("DELETE", `/v1/api-keys/${only.id}`, { key: spare })).status).toBe(200);
  });

  it("two revocations at once cannot remove the last two keys", async () => {
    const org = await registerShipper(node);
    await secondKey(org);
    const ids: string[] = (await node.call("GET", "/v1/api-keys", { key: org.key })).body.items.map(
      (k: { id: string }) => k.id,
    );
    const own = await Promise.all(
      ids.map((id) => node.call("DELETE", `/v1/api-keys/${id}`, { key: org.key })),
    );
    expect(own.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});
