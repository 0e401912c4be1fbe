import { createRoute } from "@hono/zod-openapi";
import { rotateApiKey } from "../../../core/keys/manage";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json } from "../../schemas/common";
import { IssuedApiKey } from "../../schemas/participants";
import { issuedJson } from "./shared";

const route = createRoute({
  method: "post",
  path: "/v1/api-keys/{id}/rotate",
  tags: ["API keys"],
  summary: "Revoke a key and issue its replacement in one step",
  security: bearer,
  request: { params: IdParam("key") },
  responses: { 201: json(IssuedApiKey, "The replacement key, shown once"), ...errorResponses },
});

export function registerRotateApiKey(app: App): void {
  app.openapi(route, async (c) => {
    return c.json(issuedJson(await rotateApiKey(c.get("ctx"), c.req.valid("param").id)), 201);
  });
}
