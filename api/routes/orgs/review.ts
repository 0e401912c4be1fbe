import { createRoute, z } from "@hono/zod-openapi";
import { reviewOrganization } from "../../../core/participants/review";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody, text } from "../../schemas/common";
import { Organization } from "../../schemas/participants";

const verify = createRoute({
  method: "post",
  path: "/v1/orgs/{id}/verify",
  tags: ["Participants"],
  summary: "Verify a pending (or previously rejected) shipper or carrier (admin only)",
  security: bearer,
  request: { params: IdParam("org") },
  responses: { 200: json(Organization, "The verified organisation"), ...errorResponses },
});

const reject = createRoute({
  method: "post",
  path: "/v1/orgs/{id}/reject",
  tags: ["Participants"],
  summary: "Reject a shipper or carrier, with a reason (admin only)",
  security: bearer,
  request: { params: IdParam("org"), ...jsonBody(z.strictObject({ reason: text(500) })) },
  responses: { 200: json(Organization, "The rejected organisation"), ...errorResponses },
});

const suspend = createRoute({
  method: "post",
  path: "/v1/orgs/{id}/suspend",
  tags: ["Participants"],
  summary:
    "Suspend a verified shipper or carrier, with a reason (admin only): from its next request it may read but not write",
  security: bearer,
  request: { params: IdParam("org"), ...jsonBody(z.strictObject({ reason: text(500) })) },
  responses: { 200: json(Organization, "The suspended organisation"), ...errorResponses },
});

const reinstate = createRoute({
  method: "post",
  path: "/v1/orgs/{id}/reinstate",
  tags: ["Participants"],
  summary: "Lift a suspension: the organisation is verified again (admin only)",
  security: bearer,
  request: { params: IdParam("org") },
  responses: { 200: json(Organization, "The reinstated organisation"), ...errorResponses },
});

export function registerReviewOrganization(app: App): void {
  app.openapi(verify, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await reviewOrganization(c.get("ctx"), { id, decision: "verified" }), 200);
  });
  app.openapi(reject, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    return c.json(
      await reviewOrganization(c.get("ctx"), { id, decision: "rejected", reason }),
      200,
    );
  });
  app.openapi(suspend, async (c) => {
    const { id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    return c.json(
      await reviewOrganization(c.get("ctx"), { id, decision: "suspended", reason }),
      200,
    );
  });
  app.openapi(reinstate, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await reviewOrganization(c.get("ctx"), { id, decision: "reinstated" }), 200);
  });
}
