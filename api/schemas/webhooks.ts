import { z } from "@hono/zod-openapi";
import { omittedSecrets, text } from "./common";

export const WebhookCreate = z
  .strictObject({
    url: z
      .string()
      .max(2000)
      .refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), "must be an absolute http(s) URL")
      .openapi({ example: "https://tms.example.com/caravan/webhooks" }),
    description: text(200).optional(),
  })
  .openapi("WebhookCreate");

export const Webhook = z
  .object({
    id: z.string().openapi({ example: "wh_01JBW4Q9X0ABCDEFGHJKMNPQRS" }),
    url: z.string(),
    description: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Webhook");

export const WebhookCreated = Webhook.extend({
  secret: z.string().optional().openapi({
    description:
      "`whsec_` + base64 key for verifying the `webhook-signature` header; shown only once (absent on a replay)",
    example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  }),
  ...omittedSecrets,
}).openapi("WebhookCreated");
