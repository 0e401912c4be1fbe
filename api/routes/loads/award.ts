import { createRoute, z } from "@hono/zod-openapi";
import { awardLoad } from "../../../core/marketplace/award";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, idOf, json, jsonBody } from "../../schemas/common";
import { Waybill } from "../../schemas/marketplace";

const route = createRoute({
  method: "post",
  path: "/v1/loads/{id}/award",
  tags: ["Marketplace"],
  summary: "Award the load to a live bid; issues the waybill in the same transaction",
  description:
    "Exactly one award per load: any later or concurrent attempt gets 409 `CONFLICT`. Name the bid's `revision` to award only the terms you saw.",
  security: bearer,
  request: {
    params: IdParam("ld"),
    ...jsonBody(
      z
        .strictObject({
          bidId: idOf("bid"),
          revision: z.number().int().min(1).max(2_147_483_647).optional().openapi({
            description:
              "The bid revision the shipper saw; if the carrier has revised the bid since, 409 `BID_REVISED`",
          }),
        })
        .openapi("Award"),
    ),
  },
  responses: {
    201: json(z.object({ waybill: Waybill }).openapi("Awarded"), "The waybill issued"),
    ...errorResponses,
  },
});

export function registerAwardLoad(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { bidId, revision } = c.req.valid("json");
    return c.json(await awardLoad(c.get("ctx"), { loadId: id, bidId, revision }), 201);
  });
}
