import { createRoute, z } from "@hono/zod-openapi";
import { listWaybills } from "../../../core/waybills/read";
import { WAYBILL_STATES } from "../../../core/waybills/vocabulary";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, page } from "../../schemas/common";
import { Waybill } from "../../schemas/marketplace";

const route = createRoute({
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

export function registerListWaybills(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await listWaybills(c.get("ctx"), c.req.valid("query")), 200),
  );
}
