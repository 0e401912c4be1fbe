import { createRoute, z } from "@hono/zod-openapi";
import { listHubs } from "../../../core/routing/network";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { FeatureCollection, FormatQuery, HubView } from "../../schemas/routing";

const route = createRoute({
  method: "get",
  path: "/v1/network/hubs",
  tags: ["Routing"],
  summary: "Hubs of the freight network (`?format=geojson` for a FeatureCollection of points)",
  security: bearer,
  request: { query: FormatQuery },
  responses: {
    200: json(z.union([z.object({ items: z.array(HubView) }), FeatureCollection]), "The hubs"),
    ...errorResponses,
  },
});

export function registerListHubs(app: App): void {
  app.openapi(route, async (c) => {
    const hubs = listHubs(c.get("ctx").network);
    if (c.req.valid("query").format === "geojson") {
      return c.json(
        {
          type: "FeatureCollection" as const,
          features: hubs.map(({ lat, lon, ...properties }) => ({
            type: "Feature" as const,
            geometry: { type: "Point", coordinates: [lon, lat] },
            properties,
          })),
        },
        200,
      );
    }
    return c.json({ items: hubs }, 200);
  });
}
