import { and, eq } from "drizzle-orm";
import { updateOrganization } from "../../db/queries/participants";
import { mayWrite, type Organization, organizations, type Qualifications } from "../../db/schema";
import { recordAudit } from "../audit/append";
import { canonicalJson } from "../canonical";
import { type Ctx, requireOrgActor } from "../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors";
import { withTransaction } from "../transaction";

const earlier = (a: string, b: string) => (a < b ? a : b);

/**
 * What both declarations allow: the new one, cut back wherever it reaches further than the
 * current one (a dangerous-goods class, a later expiry, a larger insurance cover, a
 * document the carrier did not have). Equal to `next` exactly when `next` widens nothing.
 */
function commonQualifications(current: Qualifications, next: Qualifications): Qualifications {
  const out: Qualifications = {};
  const licence = current.operatingLicence;
  if (licence && next.operatingLicence) {
    out.operatingLicence = {
      ...next.operatingLicence,
      expiresOn: earlier(licence.expiresOn, next.operatingLicence.expiresOn),
    };
  }
  const dg = current.dangerousGoods;
  if (dg && next.dangerousGoods) {
    const classes = next.dangerousGoods.classes.filter((c) => dg.classes.includes(c));
    if (classes.length > 0) {
      out.dangerousGoods = {
        ...next.dangerousGoods,
        classes,
        expiresOn: earlier(dg.expiresOn, next.dangerousGoods.expiresOn),
      };
    }
  }
  const insurance = current.insurance;
  if (insurance && next.insurance) {
    const sameCurrency = insurance.cover.currency === next.insurance.cover.currency;
    out.insurance = {
      ...next.insurance,
      cover: sameCurrency
        ? {
            amount: Math.min(insurance.cover.amount, next.insurance.cover.amount),
            currency: insurance.cover.currency,
          }
        : insurance.cover,
      expiresOn: earlier(insurance.expiresOn, next.insurance.expiresOn),
    };
  }
  return out;
}

/** The carrier whose qualifications the actor may change (itself, or any for an admin), locked. */
async function lockWritableCarrier(ctx: Ctx, carrierId: string) {
  const actor = ctx.actor;
  const allowed = actor.kind === "admin" || ("orgId" in actor && actor.orgId === carrierId);
  const [carrier] = allowed
    ? await ctx.db
        .select({
          id: organizations.id,
          status: organizations.status,
          qualifications: organizations.qualifications,
          pendingQualifications: organizations.pendingQualifications,
        })
        .from(organizations)
        .where(and(eq(organizations.id, carrierId), eq(organizations.kind, "carrier")))
        .for("update")
    : [];
  if (!carrier) throw NotFoundError.of("carrier", carrierId);
  if (!mayWrite(carrier.status)) {
    throw new ForbiddenError(`a ${carrier.status} carrier cannot change its qualifications`);
  }
  return carrier;
}

/** Writes a carrier's declared and pending qualifications, as a new version of it. */
async function setQualifications(
  ctx: Ctx,
  carrierId: string,
  set: { qualifications?: Qualifications; pendingQualifications: Qualifications | null },
): Promise<Organization> {
  const row = await updateOrganization(ctx.db, { id: carrierId, set, at: ctx.clock.now() });
  if (!row) throw NotFoundError.of("carrier", carrierId);
  return row;
}

/**
 * `PUT /v1/carriers/{id}/qualifications`: replaces a carrier's declared qualifications. What
 * narrows them (a class dropped, an earlier expiry) applies at once. What widens them waits
 * in `pendingQualifications` for an admin's review; meanwhile the carrier keeps what both
 * declarations allow, so its standing is unchanged. An admin's own change applies at once.
 */
export async function updateQualifications(
  ctx: Ctx,
  input: { carrierId: string; qualifications: Qualifications },
): Promise<Organization> {
  requireOrgActor(ctx);
  return withTransaction(ctx, async (tx) => {
    const carrier = await lockWritableCarrier(tx, input.carrierId);
    const next = input.qualifications;
    const effective =
      tx.actor.kind === "admin" ? next : commonQualifications(carrier.qualifications, next);
    const widens = canonicalJson(effective) !== canonicalJson(next);
    const row = await setQualifications(tx, input.carrierId, {
      qualifications: effective,
      pendingQualifications: widens ? next : null,
    });
    recordAudit(tx, {
      action: "carrier.qualifications_updated",
      entityType: "organization",
      entityId: row.id,
      data: { qualifications: effective, pendingReview: widens ? next : null },
    });
    return row;
  });
}

/**
 * `POST /v1/carriers/{id}/qualifications/review`: an admin approves the carrier's pending
 * declaration (it replaces the current one) or rejects it (the current one stays).
 */
export async function reviewQualifications(
  ctx: Ctx,
  input: { carrierId: string; decision: "approve" | "reject"; reason?: string },
): Promise<Organization> {
  if (ctx.actor.kind !== "admin") {
    throw new ForbiddenError("only admins review qualifications");
  }
  return withTransaction(ctx, async (tx) => {
    const [carrier] = await tx.db
      .select({ pending: organizations.pendingQualifications })
      .from(organizations)
      .where(and(eq(organizations.id, input.carrierId), eq(organizations.kind, "carrier")))
      .for("update");
    if (!carrier) throw NotFoundError.of("carrier", input.carrierId);
    const pending = carrier.pending;
    if (!pending) {
      throw new ConflictError(
        "the carrier has no qualifications awaiting review",
        [],
        "NO_PENDING_QUALIFICATIONS",
      );
    }
    const row = await setQualifications(tx, input.carrierId, {
      ...(input.decision === "approve" ? { qualifications: pending } : {}),
      pendingQualifications: null,
    });
    recordAudit(tx, {
      action:
        input.decision === "approve"
          ? "carrier.qualifications_approved"
          : "carrier.qualifications_rejected",
      entityType: "organization",
      entityId: row.id,
      data: { qualifications: pending, reason: input.reason ?? null },
    });
    return row;
  });
}
