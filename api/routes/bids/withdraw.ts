import { createRoute } from "@hono/zod-openapi";
import { withdrawBid } from "../../../core/marketplace/revise-bid";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { Bid } from "../../schemas/marketplace";
import { BidParams } from "./params";

const route = createRoute({
  method: "post",
  path: "/v1/loads/{id}/bids/{bidId}/withdraw",
  tags: ["Marketplace"],
  summary: "Withdraw a live bid while bidding is open",
  security: bearer,
  request: { params: BidParams },
  responses: { 200: json(Bid, "The withdrawn bid"), ...errorResponses },
});

export function registerWithdrawBid(app: App): void {
  app.openapi(route, async (c) => {
    const { id, bidId } = c.req.valid("param");
    return c.json(await withdrawBid(c.get("ctx"), { loadId: id, bidId }), 200);
  });
}
