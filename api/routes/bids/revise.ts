import { createRoute } from "@hono/zod-openapi";
import { reviseBid, withdrawBid } from "../../../core/marketplace/revise-bid";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, IdParam, idOf, json, jsonBody } from "../../schemas/common";
import { Bid, BidCreate } from "../../schemas/marketplace";

const params = IdParam("ld").extend({
  bidId: idOf("bid").openapi({ param: { name: "bidId", in: "path" } }),
});

const revise = createRoute({
  method: "put",
  path: "/v1/loads/{id}/bids/{bidId}",
  tags: ["Marketplace"],
  summary: "Revise a live bid while bidding is open: the new version replaces the old",
  security: bearer,
  request: { params, ...jsonBody(BidCreate) },
  responses: { 200: json(Bid, "The revised bid (revision + 1)"), ...errorResponses },
});

const withdraw = createRoute({
  method: "post",
  path: "/v1/loads/{id}/bids/{bidId}/withdraw",
  tags: ["Marketplace"],
  summary: "Withdraw a live bid while bidding is open",
  security: bearer,
  request: { params },
  responses: { 200: json(Bid, "The withdrawn bid"), ...errorResponses },
});

export function registerReviseBid(app: App): void {
  app.openapi(revise, async (c) => {
    const { id, bidId } = c.req.valid("param");
    const bid = c.req.valid("json");
    return c.json(await reviseBid(c.get("ctx"), { loadId: id, bidId, bid }), 200);
  });
  app.openapi(withdraw, async (c) => {
    const { id, bidId } = c.req.valid("param");
    return c.json(await withdrawBid(c.get("ctx"), { loadId: id, bidId }), 200);
  });
}
