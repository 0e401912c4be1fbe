import { createRoute } from "@hono/zod-openapi";
import { listWaybillEvents } from "../../../core/waybills/read";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, page } from "../../schemas/common";
import { WaybillEvent, WaybillNumberParam } from "../../schemas/marketplace";

const route = createRoute({
  method: "get",
  path: "/v1/waybills/{number}/events",
  tags: ["Waybills"],
  summary: "A waybill's tracking events in occurrence order",
  security: bearer,
  request: { params: WaybillNumberParam },
  responses: {
    200: json(page(WaybillEvent, "WaybillEventPage"), "The events"),
    ...errorResponses,
  },
});

export function registerListWaybillEvents(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await listWaybillEvents(c.get("ctx"), c.req.valid("param")), 200),
  );
}
