import { createRoute } from "@hono/zod-openapi";
import { setLinkStatus } from "../../../core/routing/network";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { LinkIdParam, LinkStatusChange, LinkView } from "../../schemas/routing";

const route = createRoute({
  method: "patch",
  path: "/v1/network/links/{id}",
  tags: ["Routing"],
  summary: "Open or close a link, optionally until a time (admin only); applies to new queries",
  security: bearer,
  request: { params: LinkIdParam, ...jsonBody(LinkStatusChange) },
  responses: { 200: json(LinkView, "The link with its new status"), ...errorResponses },
});

export function registerSetLinkStatus(app: App): void {
  app.openapi(route, async (c) => {
    const engine = c.get("ctx").network;
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    return c.json(await setLinkStatus(c.get("ctx"), { engine, linkId: id, ...body }), 200);
  });
}
