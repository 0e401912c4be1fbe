import { createRoute, z } from "@hono/zod-openapi";
import { reviewOrganization } from "../../../core/participants/review";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody, text } from "../../schemas/common";
import { Organization } from "../../schemas/participants";

const route = createRoute({
  method: "post",
  path: "/v1/orgs/{id}/suspend",
  tags: ["Participants"],
  summary:
    "Suspend a verified shipper or carrier, with a reason (admin only): from its next request it may read but not write",
  security: bearer,
  request: { params: IdParam("org"), ...jsonBody(z.strictObject({ reason: text(500) })) },
  responses: { 200: json(Organization, "The suspended organisation"), ...errorResponses },
});

export function registerSuspendOrganization(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    return c.json(
      await reviewOrganization(c.get("ctx"), { id, decision: "suspended", reason }),
      200,
    );
  });
}
