import { createRoute } from "@hono/zod-openapi";
import { postLoad } from "../../../core/marketplace/post-load";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { Load, LoadCreate } from "../../schemas/marketplace";

const route = createRoute({
  method: "post",
  path: "/v1/loads",
  tags: ["Marketplace"],
  summary: "Post a load for carriers to bid on (verified shipper)",
  description: "Send an `Idempotency-Key` header to make retries safe.",
  security: bearer,
  request: jsonBody(LoadCreate),
  responses: { 201: json(Load, "The posted load, status `open`"), ...errorResponses },
});

export function registerCreateLoad(app: App): void {
  app.openapi(route, async (c) => c.json(await postLoad(c.get("ctx"), c.req.valid("json")), 201));
}
