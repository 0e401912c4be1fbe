import { createRoute } from "@hono/zod-openapi";
import { quoteRoute } from "../../../core/routing/quote";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { QuoteRequest, QuoteView } from "../../schemas/routing";

const route = createRoute({
  method: "post",
  path: "/v1/routes/quote",
  tags: ["Routing"],
  summary: "Quote multimodal routes: one objective, alternatives, or the Pareto set",
  description:
    "Any verified organisation. The answer is stored; bids and waybill legs cite its `quoteId`. " +
    "When no route exists the answer is 422 with code NO_ROUTE; `details` name the reason " +
    "(e.g. AVOIDED_COUNTRY, CLOSURE) and what blocked it.",
  security: bearer,
  request: jsonBody(QuoteRequest),
  responses: { 201: json(QuoteView, "The quote"), ...errorResponses },
});

export function registerQuoteRoute(app: App): void {
  app.openapi(route, async (c) => {
    const engine = c.get("ctx").network;
    const request = c.req.valid("json");
    return c.json(await quoteRoute(c.get("ctx"), { engine, request }), 201);
  });
}
