import { createRoute } from "@hono/zod-openapi";
import { revokeApiKey } from "../../../core/keys/manage";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json } from "../../schemas/common";
import { ApiKeyView } from "../../schemas/participants";
import { keyJson } from "./shared";

const route = createRoute({
  method: "delete",
  path: "/v1/api-keys/{id}",
  tags: ["API keys"],
  summary: "Revoke a key; it stops working at once",
  security: bearer,
  request: { params: IdParam("key") },
  responses: { 200: json(ApiKeyView, "The revoked key"), ...errorResponses },
});

export function registerRevokeApiKey(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(keyJson(await revokeApiKey(c.get("ctx"), c.req.valid("param").id)), 200);
  });
}
