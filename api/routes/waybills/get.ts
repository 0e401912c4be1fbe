import { createRoute } from "@hono/zod-openapi";
import { getWaybill } from "../../../core/waybills/read";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { Waybill, WaybillNumberParam } from "../../schemas/marketplace";

const route = createRoute({
  method: "get",
  path: "/v1/waybills/{number}",
  tags: ["Waybills"],
  summary:
    "A waybill and its status (shipper, carriers, admins; regulators without sensitive fields)",
  description: "A number with a wrong check digit is a 400 (mistyped); a valid unknown one a 404.",
  security: bearer,
  request: { params: WaybillNumberParam },
  responses: { 200: json(Waybill, "The waybill"), ...errorResponses },
});

export function registerGetWaybill(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await getWaybill(c.get("ctx"), c.req.valid("param")), 200),
  );
}
