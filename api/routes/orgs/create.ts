import { createRoute } from "@hono/zod-openapi";
import { createOrganization } from "../../../core/participants/register";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { OrganizationCreate, Registered } from "../../schemas/participants";

const route = createRoute({
  method: "post",
  path: "/v1/orgs",
  tags: ["Participants"],
  summary: "Create an organisation of any kind, regulators and admins included (admin only)",
  security: bearer,
  request: jsonBody(OrganizationCreate),
  responses: {
    201: json(Registered, "The organisation, verified, and its API key"),
    ...errorResponses,
  },
});

export function registerCreateOrganization(app: App): void {
  app.openapi(route, async (c) => {
    const { kind, ...input } = c.req.valid("json");
    return c.json(await createOrganization(c.get("ctx"), kind, input), 201);
  });
}
