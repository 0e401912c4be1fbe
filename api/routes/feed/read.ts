import { createRoute, z } from "@hono/zod-openapi";
import { readFeed } from "../../../core/feed/read";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { FeedEntry } from "../../schemas/marketplace";

const FeedPage = z
  .object({
    items: z.array(FeedEntry),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `since` to resume; null only on an empty, new feed" }),
  })
  .openapi("FeedPage");

const route = createRoute({
  method: "get",
  path: "/v1/feed",
  tags: ["Feed"],
  summary: "The caller's own ordered event stream (bid received, load awarded, bid lost, …)",
  security: bearer,
  request: {
    query: z.strictObject({
      since: z.string().max(42).optional().openapi({
        description:
          "A cursor from a previous page or a webhook, given to this organisation; opaque",
      }),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: json(FeedPage, "Events after `since`, oldest first"), ...errorResponses },
});

export function registerFeed(app: App): void {
  app.openapi(route, async (c) => c.json(await readFeed(c.get("ctx"), c.req.valid("query")), 200));
}
