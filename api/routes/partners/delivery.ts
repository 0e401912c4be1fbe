import { createRoute, z } from "@hono/zod-openapi";
import {
  listDeadLetters,
  partnerSync,
  replayDeadLetters,
} from "../../../core/federation/delivery-state";
import { RECORD_TYPES } from "../../../core/federation/vocabulary";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, jsonBody } from "../../schemas/common";
import { PartnerCodeParam } from "../../schemas/federation";

const DeadLetter = z
  .object({
    id: z.string(),
    waybill: z.string(),
    type: z.enum(RECORD_TYPES),
    createdAt: z.string(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
  })
  .openapi("FederationDeadLetter");

const deadLettersRoute = createRoute({
  method: "get",
  path: "/v1/partners/{code}/dead-letters",
  tags: ["Federation"],
  summary: "Messages the partner refused for good (admins and regulators)",
  security: bearer,
  request: {
    params: PartnerCodeParam,
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
  },
  responses: {
    200: json(z.object({ items: z.array(DeadLetter) }), "Oldest first"),
    ...errorResponses,
  },
});

const ReplayRequest = z
  .strictObject({ ids: z.array(z.string().max(40)).max(1000).optional() })
  .openapi("FederationReplay");

const replayRoute = createRoute({
  method: "post",
  path: "/v1/partners/{code}/replay",
  tags: ["Federation"],
  summary: "Send the partner's dead letters again, after a fix (admin only)",
  description:
    "Every dead letter, or those whose `ids` are given, is pending again and queued; a delivery stopped on the protocol version resumes.",
  security: bearer,
  request: { params: PartnerCodeParam, ...jsonBody(ReplayRequest) },
  responses: {
    200: json(z.object({ replayed: z.number().int() }), "Queued again"),
    ...errorResponses,
  },
});

const Sync = z
  .object({
    reachable: z.boolean(),
    lastHeartbeatAt: z.string().nullable(),
    backlog: z.number().int(),
    oldestUndeliveredSeconds: z.number().int().nullable(),
    lastDeliveredAt: z.string().nullable(),
    failures: z.number().int(),
    deadLetters: z.number().int(),
    lagSeconds: z.number().int(),
    stoppedReason: z.string().nullable(),
  })
  .openapi("FederationSync");

const syncRoute = createRoute({
  method: "get",
  path: "/v1/partners/{code}/sync",
  tags: ["Federation"],
  summary: "How delivery to the partner is going (admins and regulators)",
  security: bearer,
  request: { params: PartnerCodeParam },
  responses: { 200: json(Sync, "Delivery figures"), ...errorResponses },
});

export function registerPartnerDelivery(app: App): void {
  app.openapi(deadLettersRoute, async (c) => {
    const { code } = c.req.valid("param");
    const { limit } = c.req.valid("query");
    return c.json(await listDeadLetters(c.get("ctx"), { code, limit }), 200);
  });
  app.openapi(replayRoute, async (c) => {
    const { code } = c.req.valid("param");
    const { ids } = c.req.valid("json");
    return c.json(await replayDeadLetters(c.get("ctx"), { code, ids }), 200);
  });
  app.openapi(syncRoute, async (c) =>
    c.json(await partnerSync(c.get("ctx"), c.req.valid("param")), 200),
  );
}
