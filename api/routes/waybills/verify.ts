import { createRoute, z } from "@hono/zod-openapi";
import { EVENT_FAULTS, verifyWaybill } from "../../../core/waybills/verify";
import { WAYBILL_STATES } from "../../../core/waybills/vocabulary";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { WaybillNumberParam } from "../../schemas/marketplace";

const BadEvent = z
  .object({
    position: z.number().int().openapi({ description: "Place in the chain's canonical order" }),
    id: z.number().int(),
    type: z.enum(WAYBILL_STATES),
    occurredAt: z.string(),
    recordedBy: z.string().nullable().openapi({ example: "KZ" }),
    signatureKid: z.string().nullable(),
    reason: z.enum(EVENT_FAULTS),
    message: z.string(),
  })
  .openapi("WaybillBadEvent");

const WaybillVerification = z
  .object({
    ok: z.boolean(),
    events: z.number().int().openapi({ description: "How many events were checked" }),
    headHash: z.string().openapi({
      example: "9f2c…",
      description:
        "sha256 chain (hex) over the events' canonical forms in one canonical order: nodes holding the same events hold the same head",
    }),
    firstBadEvent: BadEvent.nullable(),
  })
  .openapi("WaybillVerification");

const route = createRoute({
  method: "get",
  path: "/v1/waybills/{number}/verify",
  tags: ["Waybills"],
  summary: "Checks every event's recorder signature and gives the waybill's head hash",
  description:
    "Each event is signed by the node that recorded it: this node's keys (retired ones too) or, for a partner's events, the partner's registered keys. Readable by whoever may read the waybill.",
  security: bearer,
  request: { params: WaybillNumberParam },
  responses: { 200: json(WaybillVerification, "The verification"), ...errorResponses },
});

export function registerVerifyWaybill(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await verifyWaybill(c.get("ctx"), c.req.valid("param")), 200),
  );
}
