import { createRoute } from "@hono/zod-openapi";
import { reviewOrganization } from "../../../core/participants/review";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json } from "../../schemas/common";
import { Organization } from "../../schemas/participants";

const route = createRoute({
  method: "post",
  path: "/v1/orgs/{id}/verify",
  tags: ["Participants"],
  summary: "Verify a pending (or previously rejected) shipper or carrier (admin only)",
  security: bearer,
  request: { params: IdParam("org") },
  responses: { 200: json(Organization, "The verified organisation"), ...errorResponses },
});

export function registerVerifyOrganization(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await reviewOrganization(c.get("ctx"), { id, decision: "verified" }), 200);
  });
}
