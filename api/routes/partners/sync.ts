import { createRoute, z } from "@hono/zod-openapi";
import { partnerSync } from "../../../core/federation/delivery-state";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";
import { PartnerCodeParam } from "../../schemas/federation";

const Sync = z
  .object({
    reachable: z.boolean().openapi({ description: "Whether the last delivery attempt got a 2xx" }),
    lastHeartbeatAt: z.string().nullable().openapi({ description: "Null: no heartbeats yet" }),
    backlog: z.number().int(),
    oldestUndeliveredSeconds: z.number().int().nullable(),
    lastDeliveredAt: z.string().nullable(),
    failures: z.number().int().openapi({ description: "Failed attempts since the last success" }),
    deadLetters: z.number().int(),
    lagSeconds: z.number().int(),
    stoppedReason: z
      .string()
      .nullable()
      .openapi({ description: "Why delivery is stopped (protocol version refused), or null" }),
  })
  .openapi("FederationSync");

const route = createRoute({
  method: "get",
  path: "/v1/partners/{code}/sync",
  tags: ["Federation"],
  summary: "How delivery to the partner is going (admins and regulators)",
  security: bearer,
  request: { params: PartnerCodeParam },
  responses: { 200: json(Sync, "Delivery figures"), ...errorResponses },
});

export function registerPartnerSync(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await partnerSync(c.get("ctx"), c.req.valid("param")), 200),
  );
}
