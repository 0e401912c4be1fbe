import { type PartnerChanges, selectPartner, updatePartner } from "../../db/queries/federation";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import { NotFoundError, ValidationError } from "../errors";
import { withTransaction } from "../transaction";
import { requireFederationAdmin } from "./access";
import {
  type AgreementInput,
  type JwkInput,
  parseAgreement,
  parseBaseUrl,
  parseJwks,
} from "./partner-input";
import { type PartnerView, partnerView } from "./partner-view";

export interface PartnerPatch {
  name?: string;
  baseUrl?: string;
  /** Replaces the partner's keys: list old and new together while the partner rotates. */
  jwks?: { keys: JwkInput[] };
  /** Each field given replaces the agreement's; the others stay. */
  agreement?: Partial<AgreementInput>;
}

/** The changes a patch makes, checked as registration checks them (agreement merged later). */
async function checkedChanges(ctx: Ctx, patch: PartnerPatch): Promise<PartnerChanges> {
  const changes: PartnerChanges = {};
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.baseUrl !== undefined) changes.baseUrl = parseBaseUrl(patch.baseUrl, ctx.egress);
  if (patch.jwks !== undefined) changes.jwks = await parseJwks(patch.jwks);
  return changes;
}

/** `PATCH /v1/partners/{code}`: an admin changes a partner's agreement, address or keys. */
export async function changePartner(
  ctx: Ctx,
  input: { code: string; patch: PartnerPatch },
): Promise<PartnerView> {
  requireFederationAdmin(ctx, "change partner nodes");
  const { code, patch } = input;
  if (Object.values(patch).every((v) => v === undefined)) {
    throw ValidationError.field("body", "name, baseUrl, jwks or agreement is required");
  }
  const changes = await checkedChanges(ctx, patch);
  return withTransaction(ctx, async (tx) => {
    const current = await selectPartner(tx.db, code, { forUpdate: true });
    if (!current) throw NotFoundError.of("partner", code);
    if (patch.agreement !== undefined) {
      changes.agreement = parseAgreement({ ...current.agreement, ...patch.agreement });
    }
    const row = await updatePartner(tx.db, code, changes, tx.clock.now());
    if (!row) throw NotFoundError.of("partner", code);
    const { jwks, ...rest } = changes;
    recordAudit(tx, {
      action: "partner.changed",
      entityType: "partner",
      entityId: code,
      data: { ...rest, ...(jwks ? { kids: jwks.keys.map((k) => k.kid) } : {}) },
    });
    return partnerView(row);
  });
}
