import { createRoute, z } from "@hono/zod-openapi";
import { appendWaybillEvent } from "../../../core/waybills/events";
import { WAYBILL_STATES } from "../../../core/waybills/vocabulary";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { WaybillEvent, WaybillEventCreate, WaybillNumberParam } from "../../schemas/marketplace";

const Appended = z
  .object({
    event: WaybillEvent,
    status: z.enum(WAYBILL_STATES).openapi({ description: "The waybill's status afterwards" }),
    duplicate: z
      .boolean()
      .openapi({ description: "True when this exact event was already recorded" }),
  })
  .openapi("WaybillEventAppended");

const route = createRoute({
  method: "post",
  path: "/v1/waybills/{number}/events",
  tags: ["Waybills"],
  summary: "Report a tracking event (carriers on the waybill; the shipper for POD)",
  description:
    "The status is recomputed from the whole event set (by occurrence time). An impossible transition is a 409 whose message and details list the allowed ones.",
  security: bearer,
  request: { params: WaybillNumberParam, ...jsonBody(WaybillEventCreate) },
  responses: {
    201: json(Appended, "Recorded"),
    200: json(Appended, "Already recorded (same event sent again)"),
    ...errorResponses,
  },
});

export function registerAppendWaybillEvent(app: App): void {
  app.openapi(route, async (c) => {
    const { number } = c.req.valid("param");
    const r = await appendWaybillEvent(c.get("ctx"), { number, event: c.req.valid("json") });
    return r.duplicate ? c.json(r, 200) : c.json(r, 201);
  });
}
