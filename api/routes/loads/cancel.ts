import { createRoute, z } from "@hono/zod-openapi";
import { cancelLoad } from "../../../core/marketplace/cancel-load";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json, text, wellFormed } from "../../schemas/common";
import { Load } from "../../schemas/marketplace";

const route = createRoute({
  method: "post",
  path: "/v1/loads/{id}/cancel",
  tags: ["Marketplace"],
  summary: "Cancel an open load; its live bids become void and bidders are notified",
  security: bearer,
  request: {
    params: IdParam("ld"),
    body: {
      required: false,
      content: {
        "application/json": {
          schema: wellFormed(z.strictObject({ reason: text(500).optional() })),
        },
      },
    },
  },
  responses: { 200: json(Load, "The cancelled load"), ...errorResponses },
});

export function registerCancelLoad(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") as { reason?: string } | undefined;
    return c.json(await cancelLoad(c.get("ctx"), { id, reason: body?.reason }), 200);
  });
}
