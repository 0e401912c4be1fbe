import { createRoute } from "@hono/zod-openapi";
import { amendLoad } from "../../../core/marketplace/amend-load";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody } from "../../schemas/common";
import { Load, LoadAmend } from "../../schemas/marketplace";

const route = createRoute({
  method: "patch",
  path: "/v1/loads/{id}",
  tags: ["Marketplace"],
  summary: "Amend an open load before its first bid (its shipper)",
  security: bearer,
  request: { params: IdParam("ld"), ...jsonBody(LoadAmend) },
  responses: { 200: json(Load, "The amended load"), ...errorResponses },
});

export function registerAmendLoad(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await amendLoad(c.get("ctx"), { id, changes: c.req.valid("json") }), 200);
  });
}
