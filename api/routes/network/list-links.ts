import { createRoute, z } from "@hono/zod-openapi";
import { listHubs, listLinks } from "../../../core/routing/network";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { FeatureCollection, FormatQuery, LinkView } from "../../schemas/routing";

const route = createRoute({
  method: "get",
  path: "/v1/network/links",
  tags: ["Routing"],
  summary: "Links of the freight network with their status (`?format=geojson` for lines)",
  security: bearer,
  request: { query: FormatQuery },
  responses: {
    200: json(z.union([z.object({ items: z.array(LinkView) }), FeatureCollection]), "The links"),
    ...errorResponses,
  },
});

export function registerListLinks(app: App): void {
  app.openapi(route, async (c) => {
    const engine = c.get("ctx").network;
    const links = await listLinks(c.get("ctx"), engine);
    if (c.req.valid("query").format === "geojson") {
      const at = new Map(listHubs(engine).map((h) => [h.code, [h.lon, h.lat]]));
      return c.json(
        {
          type: "FeatureCollection" as const,
          features: links.map((l) => ({
            type: "Feature" as const,
            geometry: { type: "LineString", coordinates: [at.get(l.from), at.get(l.to)] },
            properties: { ...l },
          })),
        },
        200,
      );
    }
    return c.json({ items: links }, 200);
  });
}
