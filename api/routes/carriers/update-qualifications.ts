import { createRoute } from "@hono/zod-openapi";
import { updateQualifications } from "../../../core/participants/qualifications";
import { organizationView } from "../../../core/participants/view";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody } from "../../schemas/common";
import { Organization, Qualifications } from "../../schemas/participants";

const route = createRoute({
  method: "put",
  path: "/v1/carriers/{id}/qualifications",
  tags: ["Participants"],
  summary: "Replace a carrier's qualifications (licence, dangerous-goods permit, insurance)",
  description:
    "Narrowing changes apply at once. A change that widens what the carrier may do (a new dangerous-goods class, a later expiry, more cover, a new document) waits in `pendingQualifications` for an admin's review; meanwhile the carrier keeps what both declarations allow.",
  security: bearer,
  request: { params: IdParam("org"), ...jsonBody(Qualifications) },
  responses: {
    200: json(Organization, "The carrier with its qualifications and any pending change"),
    ...errorResponses,
  },
});

export function registerUpdateQualifications(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const row = await updateQualifications(c.get("ctx"), {
      carrierId: id,
      qualifications: c.req.valid("json"),
    });
    return c.json(organizationView(row, "sensitive"), 200);
  });
}
