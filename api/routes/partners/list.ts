import { createRoute } from "@hono/zod-openapi";
import { listPartners } from "../../../core/federation/read-partners";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { PartnerList } from "../../schemas/federation";

const route = createRoute({
  method: "get",
  path: "/v1/partners",
  tags: ["Federation"],
  summary: "List partner nodes and their agreements (admins and regulators)",
  security: bearer,
  responses: { 200: json(PartnerList, "Every partner, by code"), ...errorResponses },
});

export function registerListPartners(app: App): void {
  app.openapi(route, async (c) => c.json(await listPartners(c.get("ctx")), 200));
}
