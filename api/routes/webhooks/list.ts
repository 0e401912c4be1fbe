import { createRoute } from "@hono/zod-openapi";
import { listWebhooks } from "../../../core/webhooks/list";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, page } from "../../schemas/common";
import { Webhook } from "../../schemas/webhooks";

const route = createRoute({
  method: "get",
  path: "/v1/webhooks",
  tags: ["Feed"],
  summary: "The caller's organisation's webhooks (without their secrets)",
  security: bearer,
  responses: { 200: json(page(Webhook, "WebhookPage"), "Webhooks"), ...errorResponses },
});

export function registerListWebhooks(app: App): void {
  app.openapi(route, async (c) => c.json(await listWebhooks(c.get("ctx")), 200));
}
