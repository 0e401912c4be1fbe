import { createRoute, z } from "@hono/zod-openapi";
import { getBid, listBids } from "../../../core/marketplace/read-bids";
import { BID_STATUSES } from "../../../db/schema";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, IdParam, idOf, json, PageQuery, page } from "../../schemas/common";
import { Bid } from "../../schemas/marketplace";

const list = createRoute({
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

const get = createRoute({
  method: "get",
  path: "/v1/loads/{id}/bids/{bidId}",
  tags: ["Marketplace"],
  summary: "One bid, to its carrier or the load's shipper",
  security: bearer,
  request: {
    params: IdParam("ld").extend({
      bidId: idOf("bid").openapi({ param: { name: "bidId", in: "path" } }),
    }),
  },
  responses: { 200: json(Bid, "The bid"), ...errorResponses },
});

export function registerListBids(app: App): void {
  app.openapi(list, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await listBids(c.get("ctx"), { loadId: id, ...c.req.valid("query") }), 200);
  });
  app.openapi(get, async (c) => {
    const { id, bidId } = c.req.valid("param");
    return c.json(await getBid(c.get("ctx"), { loadId: id, bidId }), 200);
  });
}
