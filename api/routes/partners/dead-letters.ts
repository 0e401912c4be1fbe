import { createRoute, z } from "@hono/zod-openapi";
import { listDeadLetters } from "../../../core/federation/delivery-state";
import { RECORD_TYPES } from "../../../core/federation/vocabulary";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
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

const route = createRoute({
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

export function registerListDeadLetters(app: App): void {
  app.openapi(route, async (c) => {
    const { code } = c.req.valid("param");
    const { limit } = c.req.valid("query");
    return c.json(await listDeadLetters(c.get("ctx"), { code, limit }), 200);
  });
}
