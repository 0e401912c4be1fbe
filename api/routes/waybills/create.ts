import { createRoute } from "@hono/zod-openapi";
import { createDirectWaybill } from "../../../core/waybills/direct";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { Waybill, WaybillCreate } from "../../schemas/marketplace";

const route = createRoute({
  method: "post",
  path: "/v1/waybills",
  tags: ["Waybills"],
  summary: "Issue a waybill directly, without a tender (shipper naming a verified carrier)",
  security: bearer,
  request: jsonBody(WaybillCreate),
  responses: { 201: json(Waybill, "The waybill issued"), ...errorResponses },
});

export function registerCreateWaybill(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await createDirectWaybill(c.get("ctx"), c.req.valid("json")), 201),
  );
}
