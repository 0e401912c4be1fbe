import { createRoute, z } from "@hono/zod-openapi";
import { listApiKeys } from "../../../core/keys/manage";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, PageQuery, page } from "../../schemas/common";
import { ApiKeyView } from "../../schemas/participants";
import { keyJson } from "./shared";

const route = createRoute({
  method: "get",
  path: "/v1/api-keys",
  tags: ["API keys"],
  summary: "List the caller's organisation's keys (prefix only)",
  security: bearer,
  request: { query: z.strictObject(PageQuery) },
  responses: { 200: json(page(ApiKeyView, "ApiKeyPage"), "A page of keys"), ...errorResponses },
});

export function registerListApiKeys(app: App): void {
  app.openapi(route, async (c) => {
    const result = await listApiKeys(c.get("ctx"), c.req.valid("query"));
    return c.json({ items: result.items.map(keyJson), nextCursor: result.nextCursor }, 200);
  });
}
