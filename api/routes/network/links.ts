import { createRoute, z } from "@hono/zod-openapi";
import { listHubs, listLinks, setLinkStatus } from "../../../core/routing/network";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import {
  FeatureCollection,
  FormatQuery,
  LinkIdParam,
  LinkStatusChange,
  LinkView,
} from "../../schemas/routing";

const list = createRoute({
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

const setStatus = createRoute({
  method: "patch",
  path: "/v1/network/links/{id}",
  tags: ["Routing"],
  summary: "Open or close a link, optionally until a time (admin only); applies to new queries",
  security: bearer,
  request: { params: LinkIdParam, ...jsonBody(LinkStatusChange) },
  responses: { 200: json(LinkView, "The link with its new status"), ...errorResponses },
});

export function registerNetworkLinks(app: App): void {
  app.openapi(list, async (c) => {
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
  app.openapi(setStatus, async (c) => {
    const engine = c.get("ctx").network;
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    return c.json(await setLinkStatus(c.get("ctx"), { engine, linkId: id, ...body }), 200);
  });
}
