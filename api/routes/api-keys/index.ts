import { createRoute, z } from "@hono/zod-openapi";
import type { IssuedKey } from "../../../core/keys/issue";
import {
  createApiKey,
  type KeyView,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
} from "../../../core/keys/manage";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody, PageQuery, page, text } from "../../schemas/common";
import { ApiKeyView, IssuedApiKey } from "../../schemas/participants";

const tags = ["API keys"];

const list = createRoute({
  method: "get",
  path: "/v1/api-keys",
  tags,
  summary: "List the caller's organisation's keys (prefix only)",
  security: bearer,
  request: { query: z.strictObject(PageQuery) },
  responses: { 200: json(page(ApiKeyView, "ApiKeyPage"), "A page of keys"), ...errorResponses },
});

const create = createRoute({
  method: "post",
  path: "/v1/api-keys",
  tags,
  summary: "Create another key for the caller's organisation",
  security: bearer,
  request: jsonBody(z.strictObject({ name: text(80) })),
  responses: { 201: json(IssuedApiKey, "The new key, shown once"), ...errorResponses },
});

const rotate = createRoute({
  method: "post",
  path: "/v1/api-keys/{id}/rotate",
  tags,
  summary: "Revoke a key and issue its replacement in one step",
  security: bearer,
  request: { params: IdParam("key") },
  responses: { 201: json(IssuedApiKey, "The replacement key, shown once"), ...errorResponses },
});

const revoke = createRoute({
  method: "delete",
  path: "/v1/api-keys/{id}",
  tags,
  summary: "Revoke a key; it stops working at once",
  security: bearer,
  request: { params: IdParam("key") },
  responses: { 200: json(ApiKeyView, "The revoked key"), ...errorResponses },
});

const keyJson = (k: KeyView) => ({
  ...k,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

const issuedJson = (k: IssuedKey) => ({ ...k, createdAt: k.createdAt.toISOString() });

export function registerApiKeys(app: App): void {
  app.openapi(list, async (c) => {
    const result = await listApiKeys(c.get("ctx"), c.req.valid("query"));
    return c.json({ items: result.items.map(keyJson), nextCursor: result.nextCursor }, 200);
  });
  app.openapi(create, async (c) => {
    return c.json(issuedJson(await createApiKey(c.get("ctx"), c.req.valid("json"))), 201);
  });
  app.openapi(rotate, async (c) => {
    return c.json(issuedJson(await rotateApiKey(c.get("ctx"), c.req.valid("param").id)), 201);
  });
  app.openapi(revoke, async (c) => {
    return c.json(keyJson(await revokeApiKey(c.get("ctx"), c.req.valid("param").id)), 200);
  });
}
