import { createRoute, z } from "@hono/zod-openapi";
import { listAccessLog } from "../../../core/reports/access";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json, page } from "../../schemas/common";

const AccessLogEntry = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actorOrgId: z.string().nullable().openapi({ description: "The regulator that read" }),
    partner: z.string().nullable().openapi({
      description:
        "The partner node that read this node's report parts over the federation protocol (its regulator's read is recorded there)",
    }),
    route: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    filters: z.record(z.string(), z.string()),
    requestId: z.string().nullable(),
  })
  .openapi("AccessLogEntry");

const route = createRoute({
  method: "get",
  path: "/v1/access-log",
  tags: ["Audit"],
  summary: "Regulators' reads of records and reports, newest first (admins)",
  description: "Each entry is part of the tamper-evident audit trail (action `access.read`).",
  security: bearer,
  request: {
    query: z.strictObject({
      cursor: z
        .string()
        .regex(/^\d{1,18}$/, "malformed cursor")
        .optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      actorOrgId: z.string().max(40).optional(),
    }),
  },
  responses: {
    200: json(page(AccessLogEntry, "AccessLogPage"), "A page of reads"),
    ...errorResponses,
  },
});

export function registerListAccessLog(app: App): void {
  app.openapi(route, async (c) =>
    c.json(await listAccessLog(c.get("ctx"), c.req.valid("query")), 200),
  );
}
