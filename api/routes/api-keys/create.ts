import { createRoute, z } from "@hono/zod-openapi";
import { createApiKey } from "../../../core/keys/manage";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody, text } from "../../schemas/common";
import { IssuedApiKey } from "../../schemas/participants";
import { issuedJson } from "./shared";

const route = createRoute({
  method: "post",
  path: "/v1/api-keys",
  tags: ["API keys"],
  summary: "Create another key for the caller's organisation",
  security: bearer,
  request: jsonBody(z.strictObject({ name: text(80) })),
  responses: { 201: json(IssuedApiKey, "The new key, shown once"), ...errorResponses },
});

export function registerCreateApiKey(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(issuedJson(await createApiKey(c.get("ctx"), c.req.valid("json"))), 201);
  });
}
