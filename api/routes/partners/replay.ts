import { createRoute, z } from "@hono/zod-openapi";
import { replayDeadLetters } from "../../../core/federation/delivery-state";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { PartnerCodeParam } from "../../schemas/federation";

const ReplayRequest = z
  .strictObject({ ids: z.array(z.string().max(40)).max(1000).optional() })
  .openapi("FederationReplay");

const route = createRoute({
  method: "post",
  path: "/v1/partners/{code}/replay",
  tags: ["Federation"],
  summary: "Send the partner's dead letters again, after a fix (admin only)",
  description:
    "Every dead letter, or those whose `ids` are given, is pending again and queued; a delivery stopped on the protocol version resumes.",
  security: bearer,
  request: { params: PartnerCodeParam, ...jsonBody(ReplayRequest) },
  responses: {
    200: json(z.object({ replayed: z.number().int() }), "Queued again"),
    ...errorResponses,
  },
});

export function registerReplayDeadLetters(app: App): void {
  app.openapi(route, async (c) => {
    const { code } = c.req.valid("param");
    const { ids } = c.req.valid("json");
    return c.json(await replayDeadLetters(c.get("ctx"), { code, ids }), 200);
  });
}
