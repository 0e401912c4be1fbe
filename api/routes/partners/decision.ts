import { createRoute } from "@hono/zod-openapi";
import { decidePartner, type PartnerDecision } from "../../../core/federation/partner-status";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { Partner, PartnerCodeParam } from "../../schemas/federation";

/** `POST /v1/partners/{code}/<decision>`: the routes of suspend.ts and resume.ts. */
export function registerPartnerDecision(
  app: App,
  decision: PartnerDecision,
  text: { summary: string; answer: string },
): void {
  const route = createRoute({
    method: "post",
    path: `/v1/partners/{code}/${decision}`,
    tags: ["Federation"],
    summary: text.summary,
    description: "A partner already in the state asked for is a 409 (`STATUS_CONFLICT`).",
    security: bearer,
    request: { params: PartnerCodeParam },
    responses: { 200: json(Partner, text.answer), ...errorResponses },
  });
  app.openapi(route, async (c) => {
    const { code } = c.req.valid("param");
    return c.json(await decidePartner(c.get("ctx"), { code, decision }), 200);
  });
}
