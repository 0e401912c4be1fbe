import { createRoute } from "@hono/zod-openapi";
import { decidePartner } from "../../../core/federation/partner-status";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { Partner, PartnerCodeParam } from "../../schemas/federation";

const route = createRoute({
  method: "post",
  path: "/v1/partners/{code}/resume",
  tags: ["Federation"],
  summary: "Resume a suspended partner (admin only)",
  security: bearer,
  request: { params: PartnerCodeParam },
  responses: { 200: json(Partner, "The active partner"), ...errorResponses },
});

export function registerResumePartner(app: App): void {
  app.openapi(route, async (c) => {
    const { code } = c.req.valid("param");
    return c.json(await decidePartner(c.get("ctx"), { code, decision: "resume" }), 200);
  });
}
