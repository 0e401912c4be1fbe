import { createRoute } from "@hono/zod-openapi";
import { getBid } from "../../../core/marketplace/read-bids";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { Bid } from "../../schemas/marketplace";
import { BidParams } from "./params";

const route = createRoute({
  method: "get",
  path: "/v1/loads/{id}/bids/{bidId}",
  tags: ["Marketplace"],
  summary: "One bid, to its carrier or the load's shipper",
  security: bearer,
  request: { params: BidParams },
  responses: { 200: json(Bid, "The bid"), ...errorResponses },
});

export function registerGetBid(app: App): void {
  app.openapi(route, async (c) => {
    const { id, bidId } = c.req.valid("param");
    return c.json(await getBid(c.get("ctx"), { loadId: id, bidId }), 200);
  });
}
