import { and, eq, inArray, sql } from "drizzle-orm";
import { type OrgStatus, organizations } from "../../db/schema";
import { recordAudit } from "../audit/append";
import { type Ctx, withTransaction } from "../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors";
import { forgetOrganizationKeysOnCommit } from "../keys/authenticate";
import { type OrganizationView, organizationView } from "./view";

const FROM: Record<"verified" | "rejected", OrgStatus[]> = {
  verified: ["pending", "rejected"],
  rejected: ["pending", "verified"],
};

/**
 * An admin's decision on an organisation. The update is conditional on the current status,
 * so two admins deciding at once cannot both win.
 */
export async function reviewOrganization(
  ctx: Ctx,
  input: { id: string; decision: "verified" | "rejected"; reason?: string },
): Promise<OrganizationView> {
  if (ctx.actor.kind !== "admin") throw new ForbiddenError("only admins may review organisations");
  return withTransaction(ctx, async (tx) => {
    forgetOrganizationKeysOnCommit(tx, input.id);
    const now = tx.clock.now();
    const [row] = await tx.db
      .update(organizations)
      .set({
        status: input.decision,
        rejectionReason: input.decision === "rejected" ? (input.reason ?? null) : null,
        verifiedAt: input.decision === "verified" ? now : null,
        updatedAt: now,
        version: sql`${organizations.version} + 1`,
      })
      .where(
        and(
          eq(organizations.id, input.id),
          inArray(organizations.kind, ["shipper", "carrier"]),
          inArray(organizations.status, FROM[input.decision]),
        ),
      )
      .returning();
    if (!row) {
      const [current] = await tx.db
        .select({ status: organizations.status, kind: organizations.kind })
        .from(organizations)
        .where(eq(organizations.id, input.id));
      if (!current) throw NotFoundError.of("organization", input.id);
      if (current.kind !== "shipper" && current.kind !== "carrier") {
        throw new ConflictError(`a ${current.kind} is verified on creation`);
      }
      throw new ConflictError(`organization is already ${current.status}`);
    }
    recordAudit(tx, {
      action: input.decision === "verified" ? "organization.verified" : "organization.rejected",
      entityType: "organization",
      entityId: row.id,
      data: { status: row.status, reason: row.rejectionReason },
    });
    return organizationView(row, "sensitive");
  });
}
