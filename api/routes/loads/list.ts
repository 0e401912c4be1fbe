import { createRoute, z } from "@hono/zod-openapi";
import { listLoads } from "../../../core/marketplace/read-loads";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, PageQuery, page } from "../../schemas/common";
import { Load, LoadQuery } from "../../schemas/marketplace";

const route = createRoute({
  method: "get",
  path: "/v1/loads",
  tags: ["Marketplace"],
  summary: "List loads: carriers see open loads they qualify for, shippers their own",
  security: bearer,
  request: { query: z.strictObject({ ...LoadQuery, ...PageQuery }) },
  responses: { 200: json(page(Load, "LoadPage"), "A page of loads"), ...errorResponses },
});

export function registerListLoads(app: App): void {
  app.openapi(route, async (c) => c.json(await listLoads(c.get("ctx"), c.req.valid("query")), 200));
}
