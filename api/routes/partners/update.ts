import { createRoute } from "@hono/zod-openapi";
import { changePartner } from "../../../core/federation/update-partner";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { Partner, PartnerCodeParam, PartnerPatch } from "../../schemas/federation";

const route = createRoute({
  method: "patch",
  path: "/v1/partners/{code}",
  tags: ["Federation"],
  summary: "Change a partner's agreement, base URL or keys (admin only)",
  description:
    "Checked as on registration. `jwks` replaces the keys: while the partner rotates, list its old and new keys together.",
  security: bearer,
  request: { params: PartnerCodeParam, ...jsonBody(PartnerPatch) },
  responses: { 200: json(Partner, "The partner as changed"), ...errorResponses },
});

export function registerUpdatePartner(app: App): void {
  app.openapi(route, async (c) => {
    const { code } = c.req.valid("param");
    return c.json(await changePartner(c.get("ctx"), { code, patch: c.req.valid("json") }), 200);
  });
}
