import { createRoute } from "@hono/zod-openapi";
import { placeBid } from "../../../core/marketplace/place-bid";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, jsonBody } from "../../schemas/common";
import { Bid, BidCreate } from "../../schemas/marketplace";

const route = createRoute({
  method: "post",
  path: "/v1/loads/{id}/bids",
  tags: ["Marketplace"],
  summary: "Bid on an open load (verified carrier; one live bid per carrier per load)",
  description:
    "Refusals name their `reason`: BIDDING_CLOSED (by the database clock), LOAD_NOT_OPEN, BID_EXISTS, CARRIER_NOT_VERIFIED, MODE_NOT_ALLOWED, MODE_NOT_OPERATED, LICENCE_EXPIRED, INSURANCE_EXPIRED, DG_PERMIT_MISSING, DG_CLASS_NOT_COVERED, VEHICLE_NOT_FOUND, VEHICLE_MODE_MISMATCH, CAPACITY_INSUFFICIENT, PICKUP_OUTSIDE_WINDOW, DELIVERY_TOO_LATE, CURRENCY_MISMATCH, VALID_UNTIL_PAST.",
  security: bearer,
  request: { params: IdParam("ld"), ...jsonBody(BidCreate) },
  responses: { 201: json(Bid, "The bid, live"), ...errorResponses },
});

export function registerCreateBid(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await placeBid(c.get("ctx"), { loadId: id, bid: c.req.valid("json") }), 201);
  });
}
