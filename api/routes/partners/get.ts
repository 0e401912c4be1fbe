import { createRoute } from "@hono/zod-openapi";
import { getPartner } from "../../../core/federation/read-partners";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { Partner, PartnerCodeParam } from "../../schemas/federation";

const route = createRoute({
  method: "get",
  path: "/v1/partners/{code}",
  tags: ["Federation"],
  summary: "Read one partner node (admins and regulators)",
  security: bearer,
  request: { params: PartnerCodeParam },
  responses: { 200: json(Partner, "The partner"), ...errorResponses },
});

export function registerGetPartner(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await getPartner(c.get("ctx"), c.req.valid("param")), 200),
  );
}
