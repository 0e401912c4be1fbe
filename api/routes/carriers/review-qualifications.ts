import { createRoute, z } from "@hono/zod-openapi";
import { reviewQualifications } from "../../../core/participants/qualifications";
import { organizationView } from "../../../core/participants/view";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody, text } from "../../schemas/common";
import { Organization } from "../../schemas/participants";

const route = createRoute({
  method: "post",
  path: "/v1/carriers/{id}/qualifications/review",
  tags: ["Participants"],
  summary: "Approve or reject a carrier's pending qualifications (admin only)",
  security: bearer,
  request: {
    params: IdParam("org"),
    ...jsonBody(
      z.strictObject({
        decision: z.enum(["approve", "reject"]),
        reason: text(500).optional(),
      }),
    ),
  },
  responses: {
    200: json(Organization, "The carrier after the review"),
    ...errorResponses,
  },
});

export function registerReviewQualifications(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const row = await reviewQualifications(c.get("ctx"), { carrierId: id, ...c.req.valid("json") });
    return c.json(organizationView(row, "sensitive"), 200);
  });
}
