import { createRoute, z } from "@hono/zod-openapi";
import { receiveBatch } from "../../../core/federation/inbox";
import type { App } from "../../env";
import { ErrorSchema, errorBody, errorResponses } from "../../errors";
import { json } from "../../schemas/common";

const Received = z
  .object({
    accepted: z.number().int().openapi({ description: "Messages applied now" }),
    duplicates: z.number().int().openapi({ description: "Messages applied before: unchanged" }),
  })
  .openapi("FederationBatchReceived");

const route = createRoute({
  method: "post",
  path: "/v1/federation/inbox",
  tags: ["Federation"],
  summary: "Receive a batch of messages from a partner node (signed, no API key)",
  description:
    "Body `{ protocolVersion, from, to, messages: [{ id, type, waybill, homeNode, origin, record }] }`, signed the Standard Webhooks way with the sender's Ed25519 keys (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1a,<base64>`). Unknown sender or key, a tampered body or a timestamp more than five minutes off: 401. An incompatible protocol version: 409 with reason `PROTOCOL_VERSION`. Each message is applied once, by its id.",
  responses: {
    200: json(Received, "Applied (or already applied)"),
    503: {
      description: "Some events arrived before their waybill: the rest is applied, send again",
      content: { "application/json": { schema: ErrorSchema } },
    },
    ...errorResponses,
  },
});

export function registerFederationInbox(app: App): void {
  app.openapi(route, async (c) => {
    const result = await receiveBatch(c.get("ctx"), {
      id: c.req.header("webhook-id"),
      timestamp: c.req.header("webhook-timestamp"),
      signature: c.req.header("webhook-signature"),
      body: await c.req.text(),
    });
    if (result.deferred > 0) {
      c.header("retry-after", "1");
      const message = `${result.deferred} event(s) came before their waybill; the rest is applied: send again`;
      return c.json(errorBody(c, "SERVICE_UNAVAILABLE", message, []), 503);
    }
    return c.json({ accepted: result.accepted, duplicates: result.duplicates }, 200);
  });
}
