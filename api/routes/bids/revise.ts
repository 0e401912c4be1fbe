import { createRoute } from "@hono/zod-openapi";
import { reviseBid } from "../../../core/marketplace/revise-bid";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { Bid, BidCreate } from "../../schemas/marketplace";
import { BidParams } from "./params";

const route = createRoute({
  method: "put",
  path: "/v1/loads/{id}/bids/{bidId}",
  tags: ["Marketplace"],
  summary: "Revise a live bid while bidding is open: the new version replaces the old",
  security: bearer,
  request: { params: BidParams, ...jsonBody(BidCreate) },
  responses: { 200: json(Bid, "The revised bid (revision + 1)"), ...errorResponses },
});

export function registerReviseBid(app: App): void {
  app.openapi(route, async (c) => {
    const { id, bidId } = c.req.valid("param");
    const bid = c.req.valid("json");
    return c.json(await reviseBid(c.get("ctx"), { loadId: id, bidId, bid }), 200);
  });
}
