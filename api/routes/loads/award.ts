import { createRoute, z } from "@hono/zod-openapi";
import { awardLoad } from "../../../core/marketplace/award";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, IdParam, idOf, json, jsonBody } from "../../schemas/common";
import { Waybill } from "../../schemas/marketplace";

const route = createRoute({
  method: "post",
  path: "/v1/loads/{id}/award",
  tags: ["Marketplace"],
  summary: "Award the load to a live bid; issues the waybill in the same transaction",
  description: "Exactly one award per load: any later or concurrent attempt gets 409 `CONFLICT`.",
  security: bearer,
  request: {
    params: IdParam("ld"),
    ...jsonBody(z.strictObject({ bidId: idOf("bid") }).openapi("Award")),
  },
  responses: {
    201: json(z.object({ waybill: Waybill }).openapi("Awarded"), "The waybill issued"),
    ...errorResponses,
  },
});

export function registerAwardLoad(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { bidId } = c.req.valid("json");
    return c.json(await awardLoad(c.get("ctx"), { loadId: id, bidId }), 201);
  });
}
