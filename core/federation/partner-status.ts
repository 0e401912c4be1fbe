import { selectPartner, setPartnerStatus } from "../../db/queries/federation";
import type { PartnerStatus } from "../../db/schema/federation";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import { ConflictError, NotFoundError } from "../errors";
import { withTransaction } from "../transaction";
import { requireFederationAdmin } from "./access";
import { type PartnerView, partnerView } from "./partner-view";

const DECISIONS = {
  suspend: { from: ["active"], to: "suspended", action: "partner.suspended" },
  resume: { from: ["suspended"], to: "active", action: "partner.resumed" },
} as const satisfies Record<string, { from: PartnerStatus[]; to: PartnerStatus; action: string }>;

export type PartnerDecision = keyof typeof DECISIONS;

/**
 * `POST /v1/partners/{code}/suspend|resume`: a suspended partner is kept, with its agreement,
 * but nothing is sent to it or accepted from it until it is resumed. The update is conditional
 * on the current status, so two admins deciding at once cannot both win.
 */
export async function decidePartner(
  ctx: Ctx,
  input: { code: string; decision: PartnerDecision },
): Promise<PartnerView> {
  requireFederationAdmin(ctx, `${input.decision} partner nodes`);
  const decision = DECISIONS[input.decision];
  return withTransaction(ctx, async (tx) => {
    const change = { from: [...decision.from], to: decision.to };
    const row = await setPartnerStatus(tx.db, input.code, change, tx.clock.now());
    if (!row) {
      const current = await selectPartner(tx.db, input.code);
      if (!current) throw NotFoundError.of("partner", input.code);
      throw new ConflictError(
        `partner ${input.code} is ${current.status}; only a ${decision.from.join(" or ")} one can be ${input.decision}d`,
        [{ path: "status", message: current.status }],
        "STATUS_CONFLICT",
      );
    }
    recordAudit(tx, {
      action: decision.action,
      entityType: "partner",
      entityId: input.code,
      data: { status: row.status },
    });
    return partnerView(row);
  });
}
