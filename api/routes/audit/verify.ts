import { createRoute, z } from "@hono/zod-openapi";
import { verifyAuditChain } from "../../../core/audit/verify";
import type { App } from "../../env";
import { errorResponses } from "../../errors";
import { bearer, json } from "../../schemas/common";

const Verdict = z
  .object({
    ok: z.boolean(),
    entries: z.number().int().openapi({ description: "Entries checked before the verdict" }),
    firstBadEntry: z
      .object({
        seq: z.number().int().openapi({
          description: "Its place in the chain (for a missing entry, the place it should hold)",
        }),
        id: z.number().int().optional().openapi({ description: "The row, when one is to blame" }),
        reason: z.string(),
      })
      .nullable()
      .openapi({
        description:
          "The first entry that breaks the chain, disagrees with the latest signed checkpoint, or lacks the node's proof; or null",
      }),
    headHash: z.string().openapi({ description: "Hash of the last good entry" }),
    checkpoint: z
      .object({
        count: z.number().int(),
        head: z.string(),
        at: z.string(),
        kid: z.string().openapi({ description: "The node key that signed it" }),
      })
      .nullable()
      .openapi({ description: "The latest signed checkpoint the table was held against" }),
    refused: z
      .array(z.object({ id: z.number().int(), reason: z.string() }))
      .openapi({ description: "Entries left unchained: no valid proof, or dated backwards" }),
  })
  .openapi("AuditVerdict");

const route = createRoute({
  method: "get",
  path: "/v1/audit/verify",
  tags: ["Audit"],
  summary: "Recompute the whole audit hash chain (admins and regulators)",
  description:
    "Recomputes every hash, checks the node's proof on entries not yet covered by a signed checkpoint, and holds the table to the latest checkpoint, so deleted, rewritten and forged entries are named.",
  security: bearer,
  responses: { 200: json(Verdict, "The chain's verdict"), ...errorResponses },
});

export function registerAuditVerify(app: App): void {
  app.openapi(route, async (c) => {
    const checkpoint = c.get("deps").auditCheckpoints.latest();
    return c.json(await verifyAuditChain(c.get("ctx"), { checkpoint }), 200);
  });
}
