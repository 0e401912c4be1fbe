import { createRoute, z } from "@hono/zod-openapi";
import { verifyAuditChain } from "../../../core/audit/verify";
import type { App } from "../../app";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";

const Verdict = z
  .object({
    ok: z.boolean(),
    entries: z.number().int().openapi({ description: "Entries checked before the verdict" }),
    firstBadEntry: z
      .object({ seq: z.number().int(), reason: z.string() })
      .nullable()
      .openapi({ description: "The first entry that breaks the chain, or null" }),
    headHash: z.string().openapi({ description: "Hash of the last good entry" }),
  })
  .openapi("AuditVerdict");

const route = createRoute({
  method: "get",
  path: "/v1/audit/verify",
  tags: ["Audit"],
  summary: "Recompute the whole audit hash chain (admins and regulators)",
  security: bearer,
  responses: { 200: json(Verdict, "The chain's verdict"), ...errorResponses },
});

export function registerAuditVerify(app: App): void {
  app.openapi(route, async (c) => c.json(await verifyAuditChain(c.get("ctx")), 200));
}
