import { createRoute } from "@hono/zod-openapi";
import { updateQualifications } from "../../../core/participants/vehicles";
import { organizationView } from "../../../core/participants/view";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody } from "../../schemas/common";
import { Organization, Qualifications } from "../../schemas/participants";

const route = createRoute({
  method: "put",
  path: "/v1/carriers/{id}/qualifications",
  tags: ["Participants"],
  summary: "Replace a carrier's qualifications (licence, dangerous-goods permit, insurance)",
  security: bearer,
  request: { params: IdParam("org"), ...jsonBody(Qualifications) },
  responses: {
    200: json(Organization, "The carrier with its new qualifications"),
    ...errorResponses,
  },
});

export function registerQualifications(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const row = await updateQualifications(c.get("ctx"), {
      carrierId: id,
      qualifications: c.req.valid("json"),
    });
    return c.json(organizationView(row, "sensitive"), 200);
  });
}
