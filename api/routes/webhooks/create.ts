import { createRoute } from "@hono/zod-openapi";
import { registerWebhook } from "../../../core/webhooks/register";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { WebhookCreate, WebhookCreated } from "../../schemas/webhooks";

const route = createRoute({
  method: "post",
  path: "/v1/webhooks",
  tags: ["Feed"],
  summary: "Register an endpoint that receives the organisation's feed events, signed",
  description:
    "Deliveries follow Standard Webhooks: `webhook-id`, `webhook-timestamp` and `webhook-signature` headers. The secret is in this answer only.",
  security: bearer,
  request: jsonBody(WebhookCreate),
  responses: {
    201: json(WebhookCreated, "The webhook, with its signing secret (shown once)"),
    ...errorResponses,
  },
});

export function registerCreateWebhook(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await registerWebhook(c.get("ctx"), c.req.valid("json")), 201),
  );
}
