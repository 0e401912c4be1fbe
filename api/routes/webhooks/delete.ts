import { createRoute } from "@hono/zod-openapi";
import { deleteWebhook } from "../../../core/webhooks/delete";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, IdParam, json } from "../../schemas/common";
import { Webhook } from "../../schemas/webhooks";

const route = createRoute({
  method: "delete",
  path: "/v1/webhooks/{id}",
  tags: ["Feed"],
  summary: "Delete a webhook; its pending deliveries are dropped",
  security: bearer,
  request: { params: IdParam("wh") },
  responses: { 200: json(Webhook, "The deleted webhook"), ...errorResponses },
});

export function registerDeleteWebhook(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await deleteWebhook(c.get("ctx"), { id: c.req.valid("param").id }), 200),
  );
}
