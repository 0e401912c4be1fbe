import { createRoute, z } from "@hono/zod-openapi";
import { getWaybill, listWaybills } from "../../../core/waybills/read";
import { WAYBILL_STATES } from "../../../db/schema";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, json, page } from "../../schemas/common";
import { Waybill, WaybillNumberParam } from "../../schemas/marketplace";

const get = createRoute({
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

const list = createRoute({
  method: "get",
  path: "/v1/waybills",
  tags: ["Waybills"],
  summary: "Waybills the caller is party to",
  security: bearer,
  request: {
    query: z.strictObject({
      status: z.enum(WAYBILL_STATES).optional(),
      cursor: z.string().max(40).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: { 200: json(page(Waybill, "WaybillPage"), "A page of waybills"), ...errorResponses },
});

export function registerGetWaybill(app: App): void {
  app.openapi(list, async (c) =>
    c.json(await listWaybills(c.get("ctx"), c.req.valid("query")), 200),
  );
  app.openapi(get, async (c) => c.json(await getWaybill(c.get("ctx"), c.req.valid("param")), 200));
}
