import { createRoute, z } from "@hono/zod-openapi";
import { listCorridors } from "../../../core/routing/network";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { CorridorView } from "../../schemas/routing";

const route = createRoute({
  method: "get",
  path: "/v1/network/corridors",
  tags: ["Routing"],
  summary: "Named corridors of the network, with their links and sources (what reports group by)",
  security: bearer,
  responses: {
    200: json(z.object({ items: z.array(CorridorView) }), "The corridors"),
    ...errorResponses,
  },
});

export function registerListCorridors(app: App): void {
  app.openapi(route, (c) => c.json({ items: listCorridors(c.get("ctx")) }, 200));
}
