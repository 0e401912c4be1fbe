import { createRoute, z } from "@hono/zod-openapi";
import { listBids } from "../../../core/marketplace/read-bids";
import { BID_STATUSES } from "../../../core/marketplace/vocabulary";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, PageQuery, page } from "../../schemas/common";
import { Bid } from "../../schemas/marketplace";

const route = createRoute({
  method: "get",
  path: "/v1/loads/{id}/bids",
  tags: ["Marketplace"],
  summary: "Bids on a load: sealed — a carrier sees its own, the shipper sees all",
  security: bearer,
  request: {
    params: IdParam("ld"),
    query: z.strictObject({ status: z.enum(BID_STATUSES).optional(), ...PageQuery }),
  },
  responses: { 200: json(page(Bid, "BidPage"), "A page of bids"), ...errorResponses },
});

export function registerListBids(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await listBids(c.get("ctx"), { loadId: id, ...c.req.valid("query") }), 200);
  });
}
