import { createRoute } from "@hono/zod-openapi";
import { registerPartner } from "../../../core/federation/register-partner";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { Partner, PartnerCreate } from "../../schemas/federation";

const route = createRoute({
  method: "post",
  path: "/v1/partners",
  tags: ["Federation"],
  summary: "Register a partner node and its agreement (admin only)",
  description:
    "`baseUrl` must be an address outgoing requests may reach (public, or in `CARAVAN_EGRESS_ALLOW`); `jwks` holds the partner's public Ed25519 keys, as its `/.well-known/caravan-node` lists them. A node's own code is refused; a code already registered is a 409.",
  security: bearer,
  request: jsonBody(PartnerCreate),
  responses: { 201: json(Partner, "The partner, active"), ...errorResponses },
});

export function registerCreatePartner(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await registerPartner(c.get("ctx"), c.req.valid("json")), 201),
  );
}
