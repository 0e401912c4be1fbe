import { createRoute, z } from "@hono/zod-openapi";
import { FEED_MAX_LIMIT, readPartnerFeed } from "../../../core/federation/feed";
import { RECORD_TYPES } from "../../../core/federation/vocabulary";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { json } from "../../schemas/common";

const FeedMessage = z.object({
  id: z.string(),
  type: z.enum(RECORD_TYPES),
  waybill: z.string(),
  homeNode: z.string(),
  origin: z.string(),
  record: z.record(z.string(), z.unknown()),
});

const FeedPage = z
  .object({
    protocolVersion: z.string(),
    from: z.string(),
    to: z.string(),
    messages: z.array(FeedMessage),
    nextCursor: z.string().openapi({ description: "Opaque: pass as `since` for what follows" }),
  })
  .openapi("FederationFeedPage");

const route = createRoute({
  method: "get",
  path: "/v1/federation/feed",
  tags: ["Federation"],
  summary: "What this node wrote for the calling partner, for catch-up (signed, no API key)",
  description:
    "Signed by the calling partner the Standard Webhooks way over `{webhook-id}.{webhook-timestamp}.{path and query}` with an Ed25519 key of its registered jwks, its code in `caravan-node`. Answers the messages this node wrote for it after `since`, as the inbox batches carry them, scoped and stripped by its agreement today. Rows younger than 30 s are served again after `nextCursor`.",
  request: {
    query: z.object({
      since: z.string().max(200).optional(),
      limit: z.coerce.number().int().min(1).max(FEED_MAX_LIMIT).default(100),
    }),
  },
  responses: { 200: json(FeedPage, "One page, oldest first"), ...errorResponses },
});

export function registerFederationFeed(app: App): void {
  app.openapi(route, async (c) => {
    const { since, limit } = c.req.valid("query");
    const url = new URL(c.req.url);
    const page = await readPartnerFeed(c.get("ctx"), {
      id: c.req.header("webhook-id"),
      timestamp: c.req.header("webhook-timestamp"),
      signature: c.req.header("webhook-signature"),
      sender: c.req.header("caravan-node"),
      pathAndQuery: `${url.pathname}${url.search}`,
      since,
      limit,
    });
    return c.json(page, 200);
  });
}
