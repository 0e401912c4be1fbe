import { createRoute } from "@hono/zod-openapi";
import { getLoad } from "../../../core/marketplace/read-loads";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json } from "../../schemas/common";
import { Load } from "../../schemas/marketplace";

const route = createRoute({
  method: "get",
  path: "/v1/loads/{id}",
  tags: ["Marketplace"],
  summary: "One load, if the caller may see it",
  security: bearer,
  request: { params: IdParam("ld") },
  responses: { 200: json(Load, "The load"), ...errorResponses },
});

export function registerGetLoad(app: App): void {
  app.openapi(route, async (c) => c.json(await getLoad(c.get("ctx"), c.req.valid("param")), 200));
}
