import { eq } from "drizzle-orm";
import { type OrganizationChange, updateOrganization } from "../../db/queries/participants";
import { type OrgStatus, organizations } from "../../db/schema";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors";
import { announceOrganizationKeys, forgetOrganizationKeysOnCommit } from "../keys/authenticate";
import { withTransaction } from "../transaction";
import { type OrganizationView, organizationView } from "./view";

export type StatusDecision = "verified" | "rejected" | "suspended" | "reinstated";

/**
 * Each admin decision: the statuses it applies to, the status it leaves, and how the reasons
 * and `verifiedAt` change. Suspension stops a verified organisation without undoing its
 * verification; reinstatement lifts it. A pending one is rejected, not suspended.
 */
const DECISIONS: Record<
  StatusDecision,
  {
    from: OrgStatus[];
    to: OrgStatus;
    action: string;
    set: (now: Date, reason: string | null) => OrganizationChange;
  }
> = {
  verified: {
    from: ["pending", "rejected"],
    to: "verified",
    action: "organization.verified",
    set: (now) => ({ rejectionReason: null, verifiedAt: now }),
  },
  rejected: {
    from: ["pending", "verified", "suspended"],
    to: "rejected",
    action: "organization.rejected",
    set: (_now, reason) => ({ rejectionReason: reason, suspensionReason: null, verifiedAt: null }),
  },
  suspended: {
    from: ["verified"],
    to: "suspended",
    action: "organization.suspended",
    set: (_now, reason) => ({ suspensionReason: reason }),
  },
  reinstated: {
    from: ["suspended"],
    to: "verified",
    action: "organization.reinstated",
    set: () => ({ suspensionReason: null }),
  },
};

/**
 * An admin's decision on a shipper's or carrier's standing. The update is conditional on the
 * current status, so two admins deciding at once cannot both win. It takes effect at the
 * organisation's next request: the keys' cached standing is forgotten on commit.
 */
export async function reviewOrganization(
  ctx: Ctx,
  input: { id: string; decision: StatusDecision; reason?: string },
): Promise<OrganizationView> {
  if (ctx.actor.kind !== "admin") throw new ForbiddenError("only admins may review organisations");
  const decision = DECISIONS[input.decision];
  return withTransaction(ctx, async (tx) => {
    forgetOrganizationKeysOnCommit(tx, input.id);
    const now = tx.clock.now();
    const reason = input.reason ?? null;
    const row = await updateOrganization(tx.db, {
      id: input.id,
      set: { status: decision.to, ...decision.set(now, reason) },
      at: now,
      kinds: ["shipper", "carrier"],
      statuses: decision.from,
    });
    if (!row) {
      const [current] = await tx.db
        .select({ status: organizations.status, kind: organizations.kind })
        .from(organizations)
        .where(eq(organizations.id, input.id));
      if (!current) throw NotFoundError.of("organization", input.id);
      if (current.kind !== "shipper" && current.kind !== "carrier") {
        throw new ConflictError(`a ${current.kind} is verified on creation`);
      }
      throw new ConflictError(
        `organization is ${current.status}; only a ${decision.from.join(" or ")} one can be ${input.decision}`,
        [{ path: "status", message: current.status }],
        "STATUS_CONFLICT",
      );
    }
    recordAudit(tx, {
      action: decision.action,
      entityType: "organization",
      entityId: row.id,
      data: { status: row.status, reason },
    });
    await announceOrganizationKeys(tx, row.id);
    return organizationView(row, "sensitive");
  });
}
